"""Reads of meetings, filtered in SQL by who asks.

Staff see their organisation's meetings, and on them only the agenda cases the visibility
rule lets them open (``access.selectors.case_visibility_probe``). An outside member of a
支援会議 sees its pack only: a meeting they pledged secrecy for, from the day its agenda was
sent until ``ADVOCACY_MEETING_PACK_DAYS_AFTER`` days after it (decision 68). The window is
computed from the dates on every request, so access ends by itself.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from viewflow.workflow.status import STATUS

from advocacy.access.selectors import case_visibility_probe
from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.cases.models import Case, Consultation, Contact
from advocacy.cases.selectors import cases_visible_to
from workflows.models import CaseTask
from workflows.schedule import add_months

from .models import AgendaItem, Meeting, Member

MEETINGS_PER_PAGE = 20


def pack_days_after() -> int:
    return int(getattr(settings, "ADVOCACY_MEETING_PACK_DAYS_AFTER", 7))


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


# Staff


def meetings_for(*, user: User) -> QuerySet[Meeting]:
    """Return the meetings of user's organisation (none for anyone but staff)."""
    organisation_id = user.organisation_id
    if not is_case_staff(user) or organisation_id is None:
        return Meeting.objects.none()
    return Meeting.objects.filter(organisation_id=organisation_id).select_related("chair")


def meeting_get_for(*, user: User, meeting_id: object) -> Meeting:
    """Return the meeting if it is of user's organisation; the same 404 otherwise."""
    meeting = meetings_for(user=user).filter(pk=_uuid(meeting_id)).first()
    if meeting is None:
        raise Http404
    return meeting


def items_visible_to(*, user: User, meeting: Meeting) -> QuerySet[AgendaItem]:
    """Return meeting's agenda items whose case user may open (the one visibility rule)."""
    return (
        meeting.items.filter(case_visibility_probe(user=user, case="case"))
        .select_related("case", "person", "decision")
        .prefetch_related("follow_ups__owner")
    )


def case_agenda_items(*, case: Case) -> QuerySet[AgendaItem]:
    """The agenda items holding case, latest meeting first, with the decision they recorded.

    For the case page, which only those who may see the case reach; the meeting itself
    opens only to its organisation's staff (``meetings_for``).
    """
    return (
        AgendaItem.objects.filter(case=case)
        .select_related("meeting", "decision")
        .order_by("-meeting__held_on", "-meeting__created_at")
    )


def hidden_item_count(*, user: User, meeting: Meeting) -> int:
    """How many agenda cases user may not open (shown as a number, never as a case)."""
    return meeting.items.count() - items_visible_to(user=user, meeting=meeting).count()


# Outside members


def pack_open_until(meeting: Meeting) -> datetime.date:
    """The last day an outside member may read meeting's pack."""
    return meeting.held_on + datetime.timedelta(days=pack_days_after())


def _in_window(today: datetime.date) -> Q:
    """The meetings whose pack is open on today: agenda sent, and not long past."""
    return Q(
        agenda_sent_on__isnull=False,
        agenda_sent_on__lte=today,
        held_on__gte=today - datetime.timedelta(days=pack_days_after()),
    )


def pack_meetings_for(*, user: User, today: datetime.date | None = None) -> QuerySet[Meeting]:
    """Return the 支援会議 whose pack user may read today (pledged outside member, in window)."""
    if not user.is_authenticated or not has_role(user, Role.MEETING_MEMBER):
        return Meeting.objects.none()
    today = today or timezone.localdate()
    pledged = Member.objects.filter(
        meeting=OuterRef("pk"),
        user_id=user.pk,
        is_outside=True,
        pledged_on__isnull=False,
    ).exclude(pledge_basis="")
    return Meeting.objects.filter(
        Exists(pledged), _in_window(today), kind=Meeting.Kind.SUPPORT
    ).order_by("held_on")


def pack_get_for(*, user: User, meeting_id: object) -> Meeting:
    """Return the meeting if its pack is open to user today; the same 404 otherwise."""
    meeting = pack_meetings_for(user=user).filter(pk=_uuid(meeting_id)).first()
    if meeting is None:
        raise Http404
    return meeting


def pack_item_get(*, meeting: Meeting, case_id: object) -> AgendaItem:
    """Return meeting's agenda item for case_id (a case not on this agenda is a 404)."""
    item = meeting.items.filter(case_id=_uuid(case_id)).select_related("case", "person").first()
    if item is None:
        raise Http404
    return item


# 定例会: the open cases due for review


def review_due(*, user: User, today: datetime.date | None = None) -> QuerySet[Case]:
    """Return user's open cases due for review: long without contact, overdue or due tasks.

    No contact: no consultation or contact record (nor the intake) for
    ``ADVOCACY_REVIEW_NO_CONTACT_MONTHS`` months. Overdue: an open task past its due date.
    Review due: an open task due within ``ADVOCACY_REVIEW_DUE_WITHIN_DAYS`` days.
    """
    today = today or timezone.localdate()
    months = int(getattr(settings, "ADVOCACY_REVIEW_NO_CONTACT_MONTHS", 3))
    within = int(getattr(settings, "ADVOCACY_REVIEW_DUE_WITHIN_DAYS", 30))
    quiet_since = add_months(today, -months)
    open_tasks = CaseTask.objects.filter(
        case=OuterRef("pk"), status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
    )
    last_consulted = Consultation.objects.filter(case=OuterRef("pk")).values("case")
    last_contacted = Contact.objects.filter(case=OuterRef("pk")).values("case")
    return (
        cases_visible_to(user=user)
        .exclude(stage=Case.Stage.CLOSED)
        .annotate(
            last_touch=Greatest(
                "opened_on",
                Coalesce(last_consulted.annotate(d=Max("consulted_on")).values("d"), "opened_on"),
                Coalesce(last_contacted.annotate(d=Max("contacted_on")).values("d"), "opened_on"),
            ),
            overdue=Exists(open_tasks.filter(due_on__lt=today)),
            review_soon=Exists(
                open_tasks.filter(
                    due_on__gte=today, due_on__lte=today + datetime.timedelta(days=within)
                )
            ),
        )
        .filter(Q(last_touch__lt=quiet_since) | Q(overdue=True) | Q(review_soon=True))
        .order_by("opened_on", "number")
    )
