from __future__ import annotations

import datetime

import pytest

from advocacy.cases import services as case_services
from advocacy.cases.models import (
    Consultation,
    Contact,
    Decision,
    GuardianAppointment,
    Person,
    Petition,
    Subsidy,
    TeamMeeting,
)
from advocacy.reference.models import Area, GuardianshipType, MainConcern, PersonCategory
from tests import factories

FY = 2025
DAY = datetime.date(2025, 6, 2)


def open_case(
    worker,
    *,
    on=DAY,
    is_new=True,
    referrer="care_manager",
    categories=(),
    concerns=(),
    purpose="core_agency",
    existing=None,
    **person,
):
    """Open a case in FY2025 with the given clear categories; names are invented canaries.

    existing: a Person already registered, to open a further case for the same person.
    """
    person_obj = existing or Person(**factories.person_data(**person))
    consultation = Consultation(
        consulted_on=on,
        is_new=is_new,
        channel="phone",
        referrer_type=referrer,
        caller="カナリア相談者",
        notes="カナリア相談内容",
    )
    return case_services.case_open(
        actor=worker,
        person=person_obj,
        consultation=consultation,
        categories=PersonCategory.objects.filter(code__in=categories),
        main_concerns=MainConcern.objects.filter(code__in=concerns),
        purpose=purpose,
    )


def add(worker, case, record):
    return case_services.record_save(actor=worker, case=case, record=record)


@pytest.fixture
def stats_world(users_by_role):
    """About forty cases of FY2025: large cells, a few small ones, and every kind of record."""
    worker = users_by_role["city_caseworker"]
    areas = list(Area.objects.values_list("code", flat=True))
    guardianship = GuardianshipType.objects.get(code="guardianship")
    cases = []
    for i in range(40):
        case = open_case(
            worker,
            name=f"カナリア氏名{i}",
            sex="female" if i % 3 else "male",
            area=Area.objects.get(code=areas[i % 2]),
            household_type="alone" if i % 2 else "with_family",
            birth_date=datetime.date(1940, 1, 1),
            categories=["elderly"],
            concerns=["money"],
            is_new=i % 4 != 0,
            on=DAY + datetime.timedelta(days=i),
        )
        cases.append(case)
    # One rare combination: the only person of sex "other" in a rare area.
    rare = open_case(
        worker,
        name="カナリア希少",
        sex="other",
        area=Area.objects.get(code=areas[-1]),
        household_type="other",
        categories=["mental"],
        referrer="police",
    )
    cases.append(rare)
    for i, case in enumerate(cases[:20]):
        add(
            worker,
            case,
            Decision(
                held_on=datetime.date(2025, 8, 1),
                participants="カナリア参加者",
                outcome="guardianship",
                guardianship_type=guardianship,
                petitioner_type="mayor" if i < 6 else "relative",
                reasons="カナリア理由",
            ),
        )
        add(
            worker,
            case,
            Petition(
                petitioner_type="mayor" if i < 6 else "relative",
                approved_on=datetime.date(2025, 8, 20),
                filed_on=datetime.date(2025, 9, 1),
                ruling_on=datetime.date(2025, 11, 1) if i < 12 else None,
                type_granted=guardianship if i < 12 else None,
            ),
        )
        add(
            worker,
            case,
            Subsidy(
                kind="petition_cost",
                applied_on=datetime.date(2025, 9, 5),
                amount_yen=10000 + i,
                decision="approved",
                decided_on=datetime.date(2025, 9, 30),
            ),
        )
        add(
            worker,
            case,
            TeamMeeting(kind="first", held_on=datetime.date(2025, 12, 1), notes="カナリア会議"),
        )
        add(
            worker,
            case,
            Contact(
                contacted_on=datetime.date(2026, 1, 5),
                contact_from="guardian",
                is_help_request=i % 2 == 0,
                summary="カナリア連絡",
            ),
        )
        if i < 12:
            add(
                worker,
                case,
                GuardianAppointment(
                    kind="person",
                    profession="lawyer",
                    name="カナリア後見人",
                    appointed_on=datetime.date(2025, 11, 1),
                ),
            )
    return users_by_role, cases
