"""The supervisor's handover screens (人事異動): choose the leaving worker, choose, confirm, do.

Thin as the other views: the page lists what ``handover.handover_plan`` reads, the form is
validated, a second page shows what will move, and only its confirmation calls
``handover.worker_hand_over`` (one service, one transaction). A refusal is shown as a
message on the form; nothing has moved.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View
from viewflow.workflow.exceptions import FlowLockFailed

from advocacy.accounts.models import User
from advocacy.cases.guards import StaffOnlyMixin, denied

from . import handover

ERR_CHOICE = _(
    "選べない職員です。同じ組織の有効な職員から選んでください"
    "（他の組織の職員や無効なアカウントには引き継げません）。"
)
MSG_DONE = _(
    "{worker}さんの担当を引き継ぎました。ケース{cases}件、タスク{moved}件を引継ぎ先へ、"
    "{queued}件を組織の未割当へ移しました。"
)
MSG_BUSY = _(
    "引き継ぐタスクを他の職員が処理中でした。何も引き継いでいません。少し待ってからやり直してください。"
)
DEFAULT_REASON = "人事異動による担当の引継ぎ"


class HandoverForm(forms.Form):
    """One colleague for all cases, or one per case; keep the leaving worker's access or not."""

    keep_all = forms.BooleanField(
        label=_("引き継いだ後も、すべてのケースをこの職員が閲覧できるようにする"), required=False
    )
    reason = forms.CharField(label=_("理由"), max_length=200, initial=DEFAULT_REASON)
    # The cases the page listed: the service refuses if the worker's cases changed since.
    confirmed = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, plan: handover.HandoverPlan, receivers, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.fields["to"] = forms.ModelChoiceField(
            label=_("引継ぎ先（すべてのケース）"),
            queryset=receivers,
            required=False,
            empty_label=_("（ケースごとに選ぶ）"),
            error_messages={"invalid_choice": ERR_CHOICE},
        )
        self.fields["confirmed"].initial = ",".join(str(pk) for pk in plan.case_ids)
        for row in plan.cases:
            self.fields[f"to_{row.case.pk}"] = forms.ModelChoiceField(
                label=row.case.number,
                queryset=receivers,
                required=False,
                empty_label=_("（上の引継ぎ先）"),
                error_messages={"invalid_choice": ERR_CHOICE},
            )
            self.fields[f"keep_{row.case.pk}"] = forms.BooleanField(
                label=_("閲覧を残す"), required=False
            )

    def rows(self) -> list[dict[str, Any]]:
        """The plan's cases with their two fields, for the template's table."""
        return [
            {
                "case": row.case,
                "tasks": row.tasks,
                "to": self[f"to_{row.case.pk}"],
                "keep": self[f"keep_{row.case.pk}"],
            }
            for row in self.plan.cases
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = [
            row.case.number
            for row in self.plan.cases
            if not data.get(f"to_{row.case.pk}") and not data.get("to")
        ]
        if missing and not self.errors:
            raise ValidationError(handover.ERR_NO_RECEIVER.format(numbers="、".join(missing)))
        return data

    def by_case(self) -> dict[uuid.UUID, User]:
        data = self.cleaned_data
        return {
            row.case.pk: data[f"to_{row.case.pk}"]
            for row in self.plan.cases
            if data.get(f"to_{row.case.pk}")
        }

    def keep_access(self) -> bool | set[uuid.UUID]:
        if self.cleaned_data.get("keep_all"):
            return True
        return {row.case.pk for row in self.plan.cases if self.cleaned_data[f"keep_{row.case.pk}"]}

    def confirmed_cases(self) -> set[uuid.UUID]:
        value = self.cleaned_data.get("confirmed") or ""
        try:
            return {uuid.UUID(part) for part in value.split(",") if part}
        except ValueError:
            return set()

    def summary(self) -> list[dict[str, Any]]:
        """What will move, case by case, for the confirmation page."""
        by_case, keep = self.by_case(), self.keep_access()
        return [
            {
                "case": row.case,
                "tasks": row.tasks,
                "to": by_case.get(row.case.pk) or self.cleaned_data.get("to"),
                "keep": keep is True or (keep is not False and row.case.pk in keep),
            }
            for row in self.plan.cases
        ]


def _actor(request: HttpRequest) -> User:
    """The logged-in user (StaffOnlyMixin has let only staff in)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _worker(request: HttpRequest, worker_id: int) -> User:
    """The leaving worker, or the refusal-404 of someone not the supervisor's to hand over."""
    try:
        return handover.handover_worker_get(actor=_actor(request), worker_id=worker_id)
    except Http404:
        raise denied(request, "worker", worker_id) from None


def _refused(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    message = str(error) or str(handover.ERR_NOT_SUPERVISOR)
    return render(request, "workflows/refused.html", {"message": message}, status=403)


class HandoverListView(StaffOnlyMixin, View):
    """The supervisor's list of the organisation's workers, to choose whose work moves."""

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            workers = handover.handover_workers(actor=_actor(request))
        except PermissionDenied as error:
            return _refused(request, error)
        return render(request, "workflows/handover_list.html", {"workers": workers})


class HandoverView(StaffOnlyMixin, View):
    """One leaving worker: choose the colleagues (GET), confirm (POST), hand over (POST)."""

    template_name = "workflows/handover.html"
    confirm_template_name = "workflows/handover_confirm.html"

    def _form(self, request: HttpRequest, worker: User, data=None) -> HandoverForm:
        return HandoverForm(
            data,
            plan=handover.handover_plan(actor=_actor(request), worker=worker),
            receivers=handover.handover_receivers(actor=_actor(request), worker=worker),
        )

    def _page(self, request, worker, form, status=200) -> HttpResponse:
        return render(request, self.template_name, {"worker": worker, "form": form}, status=status)

    def get(self, request: HttpRequest, worker_id: int) -> HttpResponse:
        try:
            worker = _worker(request, worker_id)
            form = self._form(request, worker)
        except PermissionDenied as error:
            return _refused(request, error)
        return self._page(request, worker, form)

    def post(self, request: HttpRequest, worker_id: int) -> HttpResponse:
        try:
            worker = _worker(request, worker_id)
            form = self._form(request, worker, request.POST)
        except PermissionDenied as error:
            return _refused(request, error)
        if not form.is_valid() or request.POST.get("step") == "edit":
            return self._page(request, worker, form)
        if request.POST.get("step") != "execute":
            return render(
                request,
                self.confirm_template_name,
                {"worker": worker, "form": form, "summary": form.summary()},
            )
        try:
            result = handover.worker_hand_over(
                actor=_actor(request),
                worker=worker,
                to=form.cleaned_data.get("to"),
                by_case=form.by_case(),
                keep_access=form.keep_access(),
                confirmed_cases=form.confirmed_cases(),
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as error:
            return _refused(request, error)
        except FlowLockFailed:
            # Someone is completing one of the tasks right now; the whole act was rolled back.
            return render(request, "workflows/refused.html", {"message": MSG_BUSY}, status=409)
        except ValidationError as error:
            # Nothing moved. The form comes back as the cases stand now, with the reason.
            data = request.POST.copy()
            data["confirmed"] = form.fields["confirmed"].initial
            form = self._form(request, worker, data)
            form.is_valid()
            form.add_error(None, error.messages)
            return self._page(request, worker, form)
        messages.success(
            request,
            MSG_DONE.format(
                worker=worker,
                cases=result.cases,
                moved=result.tasks_moved,
                queued=result.tasks_queued,
            ),
        )
        return redirect("inbox:handover")
