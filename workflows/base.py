"""What every flow of ours shares: the process model, the lock, access through the case.

Each flow carries a case through one stage (``CaseFlow.stage``); ``CaseFlow.of_stage`` finds
the flow of a stage, so a process can start the next one without its flow module importing
the next flow's (guardian support goes back to coordination: the chain is a loop).
"""

from __future__ import annotations

from typing import ClassVar

from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.viewset import FlowViewset

from advocacy.accounts.roles import is_case_staff
from advocacy.cases.selectors import cases_visible_to

from .models import CaseProcess
from .views import ProcessDetailView, guard_task_url


class CaseFlow(flow.Flow):
    """A flow whose processes each belong to one case.

    Seeing a process means seeing its case. Nobody manages processes from the screens
    (undo, cancel, revive): a global "manage" grant would reach every organisation's cases.
    """

    process_class = CaseProcess
    lock_impl = lock.select_for_update_lock
    # The Case.Stage a process of this flow carries the case through; one flow per stage.
    # None for a flow beside the stages (a meeting's follow-up, feedback to the referrer),
    # which no chain starts.
    stage: ClassVar[str | None]
    _of_stage: ClassVar[dict[str, type[CaseFlow]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # viewflow clears app_name once the flow's URLs are built; keep the name for ours.
        cls.slug = cls.app_name
        if not cls.stage:
            return
        registered = CaseFlow._of_stage.get(cls.stage)
        if registered is not None and _path(registered) != _path(cls):
            raise TypeError(f"{_path(cls)}: {_path(registered)} carries stage {cls.stage!r}")
        CaseFlow._of_stage[cls.stage] = cls

    @classmethod
    def of_stage(cls, stage: str) -> type[CaseFlow]:
        """Return the flow that carries a case through stage (every flow loads in apps.ready)."""
        return CaseFlow._of_stage[stage]

    def has_view_permission(self, user, obj=None) -> bool:
        if not user.is_authenticated or not is_case_staff(user):
            return False
        if obj is None:
            return True
        return cases_visible_to(user=user).filter(pk=obj.case_id).exists()

    def has_manage_permission(self, user, obj=None) -> bool:
        return False


def _path(flow_class: type) -> str:
    return f"{flow_class.__module__}.{flow_class.__qualname__}"


def _guard(patterns: list, flow_class: type) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _guard(pattern.url_patterns, flow_class)
        elif isinstance(pattern, URLPattern) and "process_pk" in pattern.pattern.converters:
            pattern.callback = guard_task_url(pattern.callback, flow_class)


class CaseFlowViewset(FlowViewset):
    """A flow's task and process URLs, without viewflow's unscoped lists.

    viewflow's dashboard, process list and task list filter by a model-wide permission;
    ours live in the inbox. Every URL naming a process or task passes ``guard_task_url``.
    """

    process_list_path = None
    task_list_path = None
    process_cancel_path = None
    process_detail_view_class = ProcessDetailView

    @property
    def index_path(self):
        return path("", RedirectView.as_view(pattern_name="inbox:index"), name="index")

    def _get_urls(self):
        patterns = super()._get_urls()
        _guard(patterns, self._flow_class)
        return patterns
