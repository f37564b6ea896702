"""Invented demo meetings: a 支援会議 whose pack is open now, a 支援調整会議 that decided the
cases waiting for their conference, a 定例会 and the committee. Running it twice adds nothing.

Meeting services are durable (each is one act of a user), so this runs once demo_load's own
transaction has committed (``demo_meetings_after_commit``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.models import Case
from advocacy.meetings import services
from advocacy.meetings.models import Meeting, Member
from advocacy.reference.models import GuardianshipType
from workflows.events import conference_step_open

# The demo's outside member of 支援会議 (a login of DEMO_LOGINS).
OUTSIDE_USERNAME = "meeting1"


def demo_meetings_after_commit() -> None:
    """Load the demo meetings once the caller's transaction has committed."""
    transaction.on_commit(demo_meetings_load)


def demo_meetings_load() -> int:
    """Create the demo meetings unless some exist; return how many were created."""
    if Meeting.objects.exists():
        return 0
    chair = User.objects.filter(username="city_sv").first()
    outside = User.objects.filter(username=OUTSIDE_USERNAME).first()
    if chair is None or outside is None or not has_role(outside, Role.MEETING_MEMBER):
        return 0
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(organisation=chair.organisation)
        .exclude(stage=Case.Stage.CLOSED)
        .order_by("number")
    )
    support = services.meeting_create(
        actor=chair,
        values={
            "kind": Meeting.Kind.SUPPORT,
            "held_on": today + datetime.timedelta(days=3),
            "place": "高島市役所 第2会議室",
            "chair": chair,
            "agenda_sent_on": today,
        },
    )
    services.member_add(actor=chair, meeting=support, values={"user": chair})
    services.member_add(
        actor=chair,
        meeting=support,
        values={
            "user": outside,
            "is_outside": True,
            "organisation_name": "架空居宅介護支援事業所",
            "organisation_type": Member.OrganisationType.CARE_MANAGEMENT,
            "title": "介護支援専門員",
            "pledged_on": today,
            "pledge_basis": Member.PledgeBasis.SOCIAL_WELFARE_ACT_106_6,
        },
    )
    for case in cases[:2]:
        services.item_add(
            actor=chair,
            meeting=support,
            case=case,
            briefing="金銭管理の支援と見守りの分担について（架空の協議事項）",
        )

    waiting = [case for case in cases if conference_step_open(case=case)]
    if waiting:
        conference = services.meeting_create(
            actor=chair,
            values={
                "kind": Meeting.Kind.COORDINATION,
                "held_on": today,
                "place": "社協 相談室",
                "chair": chair,
            },
        )
        services.member_add(actor=chair, meeting=conference, values={"user": chair})
        guardianship = GuardianshipType.objects.valid_on(today).filter(voluntary=False).first()
        for case in waiting:
            services.item_add(actor=chair, meeting=conference, case=case)
            services.item_minutes_record(
                actor=chair,
                meeting=conference,
                case=case,
                values={
                    "minutes": "本人の意向と親族の状況を確認した（架空の議事録）",
                    "reasons": "金銭管理に継続的な支援が必要なため（架空）",
                    "outcome": "guardianship",
                    "guardianship_type": guardianship,
                    "petitioner_type": "mayor",
                },
            )

    regular = services.meeting_create(
        actor=chair,
        values={"kind": Meeting.Kind.REGULAR, "held_on": today, "place": "くらし連携支援室"},
    )
    services.member_add(actor=chair, meeting=regular, values={"user": chair})

    committee = services.meeting_create(
        actor=chair,
        values={
            "kind": Meeting.Kind.COMMITTEE,
            "held_on": today - datetime.timedelta(days=30),
            "place": "高島市役所 大会議室",
            "chair": chair,
        },
    )
    services.meeting_summary_save(
        actor=chair,
        meeting=committee,
        summary="上半期の相談件数と受任調整の状況について報告を受け、広報の進め方を協議した。",
    )
    return Meeting.objects.count()
