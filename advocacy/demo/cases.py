"""About sixty invented cases across every stage, for both organisations."""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from advocacy.accounts.models import User
from advocacy.cases import services
from advocacy.cases.models import (
    Assessment,
    Case,
    Consultation,
    Contact,
    Decision,
    GuardianAppointment,
    Person,
    Petition,
    Referral,
    Subsidy,
    TeamMeeting,
    TeamMember,
)
from advocacy.reference.models import (
    Area,
    FamilyCourt,
    GuardianshipType,
    MainConcern,
    PersonCategory,
)
from workflows.consultation.start import consultation_start

# Stage each demo case should reach, in order; the mix mirrors a year of real work.
STAGE_PLAN = (
    [Case.Stage.CONSULTATION] * 14
    + [Case.Stage.COORDINATION] * 16
    + [Case.Stage.TEAM_SUPPORT] * 10
    + [Case.Stage.GUARDIAN_SUPPORT] * 12
    + [Case.Stage.CLOSED] * 8
)

WISHES = ["住み慣れた家で暮らしたい", "お金のことを任せたい", "施設で安心して過ごしたい"]


# Days before today that a case reaching each stage was opened (older cases went further).
OPENED_DAYS_AGO = {
    Case.Stage.CONSULTATION: (5, 120),
    Case.Stage.COORDINATION: (30, 300),
    Case.Stage.TEAM_SUPPORT: (200, 500),
    Case.Stage.GUARDIAN_SUPPORT: (400, 900),
    Case.Stage.CLOSED: (500, 900),
}


def _name_and_kana(fake: Faker, sex: str) -> tuple[str, str]:
    last, last_kana, _roman = fake.last_name_pair()
    pair = fake.first_name_female_pair() if sex == "female" else fake.first_name_male_pair()
    first, first_kana, _roman = pair
    return f"{last} {first}", f"{last_kana} {first_kana}"


@transaction.atomic
def demo_cases_load(*, workers: list[User], supervisors: dict, seed: int = 7) -> int:
    """Create the demo cases unless some exist; return how many were created."""
    if Case.objects.exists():
        return 0
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    rnd = random.Random(seed)  # noqa: S311 - invented demo data, not security
    areas = list(Area.objects.all())
    categories = list(PersonCategory.objects.all())
    concerns = list(MainConcern.objects.all())
    types = list(GuardianshipType.objects.filter(voluntary=False))
    today = timezone.localdate()
    created = 0
    for index, target in enumerate(STAGE_PLAN):
        worker = workers[index % len(workers)]
        opened = today - datetime.timedelta(days=rnd.randint(*OPENED_DAYS_AGO[target]))
        birth = today - datetime.timedelta(days=rnd.randint(60 * 365, 95 * 365))
        sex = rnd.choice(["female", "male"])
        name, kana = _name_and_kana(fake, sex)
        person = Person(
            name=name,
            kana=kana,
            birth_date=birth,
            sex=sex,
            address=fake.address(),
            phone=fake.phone_number(),
            area=rnd.choice(areas),
            living_situation=rnd.choice(["home", "facility", "hospital"]),
            household_type=rnd.choice(["alone", "elderly_couple", "with_family"]),
            wishes=rnd.choice(
                ["住み慣れた家で暮らしたい", "お金のことを任せたい", "施設で安心して過ごしたい"]
            ),
            relatives=[
                {"name": fake.name(), "relation": "長男", "degree": 1, "intention": "協力困難"}
            ],
            income="年金 月8万円（架空）",
            assets="預金 約200万円（架空）",
            health_notes="認知症の診断あり（架空）",
        )
        consultation = Consultation(
            consulted_on=opened,
            channel=rnd.choice(["phone", "visit", "outreach"]),
            referrer_type=rnd.choice(
                ["care_manager", "community_centre", "hospital", "relative", "welfare_commissioner"]
            ),
            caller=fake.name(),
            referrer_organisation="架空の地域包括支援センター",
            notes="金銭管理が難しくなっているとの相談（架空の記録）",
        )
        consent = rnd.choice(["given", "not_asked"])
        case = services.case_open(
            actor=worker,
            person=person,
            consultation=consultation,
            categories=rnd.sample(categories, k=rnd.randint(1, 2)),
            main_concerns=rnd.sample(concerns, k=rnd.randint(1, 3)),
            urgency="urgent" if rnd.random() < 0.1 else "normal",
            consent=consent,
            consent_on=opened if consent == "given" else None,
        )
        _advance(case, target, worker, supervisors[worker.organisation_id], fake, rnd, types)
        created += 1
    return created


def _day(case: Case, rnd: random.Random, after: int, spread: int) -> datetime.date:
    day = case.opened_on + datetime.timedelta(days=after + rnd.randint(0, spread))
    return min(day, timezone.localdate())


def _advance(case, target, worker, supervisor, fake, rnd, types) -> None:
    order = list(Case.Stage)
    reach = order.index(target)
    if target == Case.Stage.CONSULTATION:
        # Open consultations carry a live process, so the demo inboxes have tasks.
        consultation_start(actor=worker, case=case)
        if rnd.random() < 0.4:
            services.record_save(
                actor=worker,
                case=case,
                record=Referral(
                    referred_on=_day(case, rnd, 1, 5),
                    agency="架空の相談支援事業所",
                    follow_up_due=_day(case, rnd, 14, 5),
                ),
            )
        return
    services.case_set_stage(
        actor=worker, case=case, stage=Case.Stage.COORDINATION, on=_day(case, rnd, 3, 10)
    )
    services.record_save(
        actor=worker,
        case=case,
        record=Assessment(
            assessed_on=_day(case, rnd, 10, 10),
            capacity_notes="日常の買い物に支援が必要（架空）",
            info_sheet_status="received",
            certificate_status="requested",
        ),
    )
    gtype = rnd.choice(types)
    services.record_save(
        actor=worker,
        case=case,
        record=Decision(
            held_on=_day(case, rnd, 25, 10),
            participants="担当職員、ケアマネジャー（架空）",
            outcome="guardianship",
            guardianship_type=gtype,
            petitioner_type=rnd.choice(["mayor", "relative", "self"]),
            reasons="財産管理が必要（架空）",
        ),
    )
    if reach < order.index(Case.Stage.TEAM_SUPPORT):
        return
    filed = _day(case, rnd, 60, 20)
    mayor = rnd.random() < 0.3
    petition = services.record_save(
        actor=worker,
        case=case,
        record=Petition(
            petitioner_type="mayor" if mayor else "relative",
            approved_on=filed - datetime.timedelta(days=7) if mayor else None,
            relative_search_degree=4 if mayor else None,
            documents=["petition", "relatives_diagram", "medical_certificate"],
            filed_on=filed,
            ruling_on=min(
                filed + datetime.timedelta(days=rnd.randint(40, 110)), timezone.localdate()
            ),
            type_granted=gtype,
            court_case_number="令和X年(家)第0000号（架空）",
            court=FamilyCourt.objects.filter(code=settings.ADVOCACY_DEFAULT_COURT).first(),
        ),
    )
    profession = rnd.choice(["lawyer", "judicial_scrivener", "social_worker", "citizen_guardian"])
    services.record_save(
        actor=worker,
        case=case,
        record=GuardianAppointment(
            petition=petition,
            kind="person",
            profession=profession,
            name=fake.name(),
            appointed_on=petition.ruling_on,
        ),
    )
    services.case_set_stage(
        actor=worker, case=case, stage=Case.Stage.TEAM_SUPPORT, on=petition.ruling_on
    )
    services.record_save(
        actor=worker,
        case=case,
        record=TeamMember(
            role="care_manager",
            name=fake.name(),
            joined_on=petition.ruling_on,
        ),
    )
    services.record_save(
        actor=worker,
        case=case,
        record=TeamMeeting(
            kind="first",
            held_on=min(petition.ruling_on + datetime.timedelta(days=20), timezone.localdate()),
            participants="後見人、ケアマネジャー、担当職員（架空）",
        ),
    )
    if reach < order.index(Case.Stage.GUARDIAN_SUPPORT):
        return
    services.case_set_stage(
        actor=worker,
        case=case,
        stage=Case.Stage.GUARDIAN_SUPPORT,
        on=min(petition.ruling_on + datetime.timedelta(days=90), timezone.localdate()),
    )
    services.record_save(
        actor=worker,
        case=case,
        record=Contact(
            contacted_on=timezone.localdate() - datetime.timedelta(days=rnd.randint(0, 30)),
            contact_from="guardian",
            is_help_request=rnd.random() < 0.5,
            summary="施設入所の契約について相談（架空）",
        ),
    )
    if rnd.random() < 0.5:
        services.record_save(
            actor=worker,
            case=case,
            record=Subsidy(
                kind="petition_cost",
                applied_on=petition.filed_on,
                amount_yen=rnd.choice([8000, 12000]),
                decision="approved",
                decided_on=petition.filed_on + datetime.timedelta(days=14),
            ),
        )
    if target == Case.Stage.CLOSED:
        services.case_close(
            actor=supervisor,
            case=case,
            reason=rnd.choice(["death", "moved_away", "capacity_restored"]),
            on=timezone.localdate(),
        )
