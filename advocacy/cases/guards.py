"""The door of every staff screen that opens a case: who may come in, and how a refusal is kept.

Every view of cases, workflows and the portal's staff side uses these two, so a refusal is
audited the same way everywhere (``access.refusals``: the 403s of the door, the 404s of the
loader) and a case that is missing looks the same as one that is not yours.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from advocacy.access.refusals import refusal_note
from advocacy.accounts.roles import is_case_staff
from advocacy.cases.models import Case
from advocacy.cases.selectors import case_get_for


class StaffOnlyMixin(LoginRequiredMixin):
    """City and Council staff only; everyone else gets 403 (login first if anonymous)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_case_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def load_case(request: HttpRequest, case_id: object) -> Case:
    """Return the case or raise 404, recording the refused attempt in the audit trail."""
    user = request.user
    try:
        if not user.is_authenticated:  # as case_get_for would: no case is theirs
            raise Http404
        return case_get_for(user=user, case_id=case_id)
    except Http404:
        raise denied(request, "case", case_id) from None


def denied(request: HttpRequest, what: str, object_id: object) -> Http404:
    """Mark the request as a refused attempt at what:object_id and return the 404 to raise.

    ``access.refusals.RefusalAuditMiddleware`` records it, once, with the URL name.
    """
    refusal_note(request, what, object_id)
    return Http404()
