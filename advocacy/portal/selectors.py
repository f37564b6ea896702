"""Reads of the portal: a professional's requests and cases, the shortlist, the statistics."""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.access.models import CaseUserObjectPermission
from advocacy.access.selectors import VIEW_AS_GUARDIAN
from advocacy.accounts.models import Professional, User
from advocacy.cases.models import Case

from .models import SPECIALITIES_FOR_NEED, CoordinationRequest, Need, RequestMessage, Speciality

Status = CoordinationRequest.Status
P = Professional.Profession

# The professions that fit each need, best first (domain step 5).
PROFESSIONS_FOR_NEED: dict[str, tuple[str, ...]] = {
    Need.LEGAL: (P.LAWYER,),
    Need.PROPERTY: (P.JUDICIAL_SCRIVENER, P.ADMINISTRATIVE_SCRIVENER),
    Need.WELFARE: (P.SOCIAL_WORKER,),
    Need.STABLE: (P.CITIZEN_GUARDIAN,),
    Need.DIFFICULT: (P.CORPORATE,),
}
ROTATION_DAYS = 365
SHORTLIST_SIZE = 10


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


# The professional's side


def requests_for(*, user: User) -> QuerySet[CoordinationRequest]:
    """Requests addressed to user that they may still see (not expired, not withdrawn)."""
    return CoordinationRequest.objects.filter(
        professional__user_id=user.pk,
        status__in=[Status.SENT, Status.ACCEPTED, Status.DECLINED],
    ).select_related("area")


def open_requests_for(*, user: User) -> QuerySet[CoordinationRequest]:
    return (
        requests_for(user=user)
        .filter(status=Status.SENT, due_at__gt=timezone.now())
        .order_by("due_at")
    )


def request_get_for(*, user: User, request_id: object) -> CoordinationRequest:
    """Return the request addressed to user; the same 404 for missing, not theirs, closed."""
    request = (
        requests_for(user=user)
        .select_related("case", "professional__user")
        .filter(pk=_uuid(request_id))
        .first()
    )
    if request is None:
        raise Http404
    return request


def guardian_cases_for(*, user: User) -> QuerySet[Case]:
    """Cases user holds the guardian's view of (granted when they accepted)."""
    if not user.is_active:  # deactivation revokes the grant; a row left behind counts for nothing
        return Case.objects.none()
    granted = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=VIEW_AS_GUARDIAN
    ).values("content_object_id")
    return Case.objects.filter(pk__in=granted).select_related("person").order_by("-opened_on")


def guardian_case_get_for(*, user: User, case_id: object) -> Case:
    case = guardian_cases_for(user=user).filter(pk=_uuid(case_id)).first()
    if case is None:
        raise Http404
    return case


def messages_for(*, user: User) -> QuerySet[RequestMessage]:
    """The latest messages of the requests user can see."""
    return (
        RequestMessage.objects.filter(request__in=requests_for(user=user))
        .select_related("request", "author")
        .order_by("-created_at")
    )


# The staff side


def requests_of_case(*, case: Case) -> QuerySet[CoordinationRequest]:
    return CoordinationRequest.objects.filter(case=case).select_related(
        "professional__user", "sent_by", "area"
    )


def case_request_get(*, case: Case, request_id: object) -> CoordinationRequest:
    request = requests_of_case(case=case).filter(pk=_uuid(request_id)).first()
    if request is None:
        raise Http404
    return request


# The shortlist


@dataclass
class Suggestion:
    professional: Professional
    caseload: int
    capacity_left: int
    recent_requests: int
    fits_profession: bool
    serves_area: bool
    speciality_match: bool = False
    reasons: list[str] = field(default_factory=list)


def caseloads() -> QuerySet:
    """Per professional: accepted requests still standing (their current portal caseload)."""
    return Professional.objects.annotate(
        caseload=Count(
            "coordination_requests",
            filter=Q(coordination_requests__status=Status.ACCEPTED),
            distinct=True,
        )
    )


def shortlist(*, case: Case, need: str, limit: int = SHORTLIST_SIZE) -> list[Suggestion]:
    """Suggest candidates for case: fitting profession, the person's area, room, rotation.

    Order: profession fits the need, serves the person's area, fewest requests in the last
    year (so requests rotate fairly), most capacity left. Candidates already asked for this
    case, unavailable, inactive or full are left out.
    """
    since = timezone.now() - datetime.timedelta(days=ROTATION_DAYS)
    today = timezone.localdate()
    asked = CoordinationRequest.objects.filter(case=case).values("professional_id")
    professions = PROFESSIONS_FOR_NEED.get(need, ())
    area_id = case.person.area_id
    rows = (
        Professional.objects.filter(active=True, user__is_active=True)
        .exclude(pk__in=asked)
        .exclude(candidate_profile__available_from__gt=today)
        .annotate(
            caseload=Count(
                "coordination_requests",
                filter=Q(coordination_requests__status=Status.ACCEPTED),
                distinct=True,
            ),
            recent=Count(
                "coordination_requests",
                filter=Q(coordination_requests__sent_at__gte=since),
                distinct=True,
            ),
            serves=Count("areas", filter=Q(areas__pk=area_id), distinct=True),
        )
        .select_related("user", "candidate_profile")
    )
    wanted = SPECIALITIES_FOR_NEED.get(need, set())
    suggestions = []
    for row in rows:
        left = row.capacity - row.caseload
        if left <= 0:
            continue
        suggestion = Suggestion(
            professional=row,
            caseload=row.caseload,
            capacity_left=left,
            recent_requests=row.recent,
            fits_profession=row.profession in professions,
            serves_area=bool(row.serves),
        )
        if suggestion.fits_profession:
            suggestion.reasons.append(
                str(_("職種が必要な支援に合う（{need}）")).format(need=Need(need).label)
            )
        if suggestion.serves_area:
            suggestion.reasons.append(str(_("本人の地域に対応")))
        profile = getattr(row, "candidate_profile", None)
        matching = sorted(wanted & set(profile.specialities if profile else []))
        if matching:
            suggestion.speciality_match = True
            labels = "・".join(str(Speciality(code).label) for code in matching)
            suggestion.reasons.append(str(_("得意分野: {labels}")).format(labels=labels))
        if profile and profile.languages:
            suggestion.reasons.append(
                str(_("対応言語: {languages}")).format(languages=profile.languages)
            )
        suggestion.reasons.append(
            str(_("空き {left} 件（受任中 {load} / 上限 {cap}）")).format(
                left=left, load=row.caseload, cap=row.capacity
            )
        )
        suggestion.reasons.append(str(_("直近1年の依頼 {count} 件")).format(count=row.recent))
        suggestions.append(suggestion)
    suggestions.sort(
        key=lambda s: (
            not s.fits_profession,
            not s.speciality_match,
            not s.serves_area,
            s.recent_requests,
            -s.capacity_left,
            str(s.professional.pk),
        )
    )
    return suggestions[:limit]


# Statistics


@dataclass
class ProfessionFigures:
    profession: str
    label: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0
    median_answer_hours: float | None = None
    decline_reasons: dict[str, int] = field(default_factory=dict)


def request_statistics(
    *, start: datetime.datetime | None = None, end: datetime.datetime | None = None
) -> list[ProfessionFigures]:
    """Counts of requests by candidate profession and outcome, and the median time to answer."""
    rows = CoordinationRequest.objects.all()
    if start is not None:
        rows = rows.filter(sent_at__gte=start)
    if end is not None:
        rows = rows.filter(sent_at__lt=end)
    figures = {code: ProfessionFigures(code, str(label)) for code, label in P.choices}
    counted = rows.values("profession", "status").annotate(n=Count("pk")).order_by()
    for row in counted:
        figure = figures.setdefault(row["profession"], ProfessionFigures(row["profession"], ""))
        figure.sent += row["n"]
        if row["status"] == Status.ACCEPTED:
            figure.accepted += row["n"]
        elif row["status"] == Status.DECLINED:
            figure.declined += row["n"]
        elif row["status"] == Status.EXPIRED:
            figure.expired += row["n"]
        elif row["status"] in (Status.WITHDRAWN, Status.SUPERSEDED):
            figure.withdrawn += row["n"]
    reasons = (
        rows.filter(status=Status.DECLINED)
        .values("profession", "decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in reasons:
        figures[row["profession"]].decline_reasons[row["decline_reason"]] = row["n"]
    # Durations per profession; one small column each, the median taken here.
    answered = rows.filter(answered_at__isnull=False).values_list(
        "profession", "sent_at", "answered_at"
    )
    durations: dict[str, list[float]] = {}
    for profession, sent_at, answered_at in answered.iterator(chunk_size=2000):
        if answered_at is not None:  # as filtered above
            durations.setdefault(profession, []).append((answered_at - sent_at).total_seconds())
    for profession, values in durations.items():
        figures[profession].median_answer_hours = round(statistics.median(values) / 3600, 1)
    return list(figures.values())
