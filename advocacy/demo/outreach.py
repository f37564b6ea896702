"""Invented demo data for the agency's other duties: feedback, events, citizen guardians.

Runs after ``demo_load`` has committed (its services each commit on their own); a second run
changes nothing.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from faker import Faker

from advocacy.accounts.models import User
from advocacy.cases.models import Case, GeneralConsultation
from advocacy.cases.services import case_feedback_consent_set, general_consultation_record
from advocacy.dates import fiscal_year_of
from advocacy.outreach import services
from advocacy.outreach.models import Feedback, OutreachEvent, Trainee, TrainingCourse
from advocacy.stats.selectors import fiscal_bounds

EVENTS = [
    (
        "成年後見制度を知る市民講座",
        "市民会館（架空）",
        "resident_seminar",
        "residents",
        "joint",
        60,
    ),
    (
        "民生委員定例会での制度説明",
        "今津公民館（架空）",
        "briefing",
        "commissioners",
        "council",
        40,
    ),
    (
        "ケアマネジャー向け権利擁護研修",
        "福祉センター（架空）",
        "professional_training",
        "care_managers",
        "city",
        50,
    ),
    (
        "専門職団体との事例検討会",
        "市役所会議室（架空）",
        "professional_training",
        "professionals",
        "professional_body",
        30,
    ),
    ("なんでも相談会", "安曇川公民館（架空）", "open_consultation", "residents", "joint", 20),
    (
        "出張相談会（朽木地域）",
        "朽木支所（架空）",
        "visiting_consultation",
        "residents",
        "council",
        15,
    ),
    (
        "リーフレットの配布（医療機関）",
        "市内の病院（架空）",
        "leaflets",
        "professionals",
        "city",
        None,
    ),
]


def demo_outreach_load() -> None:
    """Load the demo's feedback, events and citizen guardian training, once."""
    if OutreachEvent.objects.exists():
        return
    rnd = random.Random(19)  # noqa: S311  invented demo data, not security
    city = User.objects.get(username="city1")
    council = User.objects.get(username="council1")
    _feedback(city)
    _events(city, rnd)
    _training(council, rnd)
    services.corporate_candidate_set(actor=council, capacity=10)


def _feedback(worker: User) -> None:
    cases = Case.objects.filter(assigned_worker=worker).exclude(stage=Case.Stage.CLOSED)
    referred = [c for c in cases.order_by("-opened_on") if services.referrer_type_of(c)][:6]
    for case in referred[:5]:
        case_feedback_consent_set(actor=worker, case=case, consent="given", on=case.opened_on)
    if len(referred) > 5:
        case_feedback_consent_set(actor=worker, case=referred[5], consent="not_given", on=None)
    for feedback in Feedback.objects.filter(case__in=referred[:2], status="due"):
        services.feedback_give(
            actor=worker,
            feedback=feedback,
            given_on=timezone.localdate(),
            method="phone",
            told="ご本人の同意のもと、相談を受け付け、支援の方針を検討していることをお伝えした（架空）。",
        )


def _events(worker: User, rnd: random.Random) -> None:
    start, _end = fiscal_bounds(fiscal_year_of(timezone.localdate()))
    today = timezone.localdate()
    span = max((today - start).days, 1)
    for title, place, kind, audience, organiser, capacity in EVENTS:
        held_on = start + datetime.timedelta(days=rnd.randint(0, span))
        attendance: dict[str, int] = {}
        if kind == "leaflets":
            pass
        elif audience == "residents":
            attendance = {"attended_residents": rnd.randint(8, 45), "attended_commissioners": 3}
        else:
            attendance = {f"attended_{audience}": rnd.randint(10, 40)}
        general = []
        if kind in ("open_consultation", "visiting_consultation"):
            general = [
                general_consultation_record(
                    actor=worker,
                    consultation=GeneralConsultation(
                        consulted_on=held_on,
                        channel="visit",
                        referrer_type=rnd.choice(["self", "relative"]),
                        minutes=rnd.choice([20, 30, 45]),
                        outcome=rnd.choice(["information_given", "referred"]),
                    ),
                )
                for _ in range(rnd.randint(2, 5))
            ]
        event = OutreachEvent(
            held_on=held_on,
            title=title,
            place=place,
            kind=kind,
            audience=audience,
            organiser=organiser,
            capacity=capacity,
            leaflets=500 if kind == "leaflets" else 0,
            **attendance,
        )
        services.event_save(
            actor=worker,
            event=event,
            general_consultations=general,
            # Some drew more people than booked: the demo shows the warning's mark.
            over_capacity_confirmed=True,
        )


def _training(worker: User, rnd: random.Random) -> None:
    fake = Faker("ja_JP")
    fake.seed_instance(19)
    course = services.course_create(
        actor=worker,
        course=TrainingCourse(
            title="高島市 市民後見人養成研修（架空）",
            cohort=3,
            starts_on=timezone.localdate() - datetime.timedelta(days=90),
            sessions=8,
            required_sessions=7,
        ),
    )
    trainees = [
        services.trainee_enrol(
            actor=worker,
            course=course,
            trainee=Trainee(name=fake.name(), kana=fake.kana_name(), phone="000-0000-0000"),
        )
        for _ in range(8)
    ]
    for session in range(1, 9):
        present = [t for t in trainees if rnd.random() < 0.9 or t is trainees[0]]
        if session > 3:
            present = [t for t in present if t is not trainees[-1]]  # stopped coming
        services.attendance_record(actor=worker, course=course, session=session, present=present)
    completed_on = timezone.localdate() - datetime.timedelta(days=7)
    for trainee in trainees:
        attended = trainee.attendances.count()
        if attended >= course.required_sessions:
            services.trainee_complete(actor=worker, trainee=trainee, on=completed_on)
    for trainee in Trainee.objects.filter(course=course, status="completed")[:4]:
        services.trainee_register(
            actor=worker,
            trainee=trainee,
            on=timezone.localdate(),
            backup=rnd.choice(["supervision", "relay"]),
            area_codes=["takashima", "adogawa"],
        )
