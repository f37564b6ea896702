from __future__ import annotations

import datetime

import pytest

from advocacy.cases.models import (
    Contact,
    Decision,
    GuardianAppointment,
    Petition,
    Subsidy,
    TeamMeeting,
)
from advocacy.reference.models import Area, GuardianshipType
from tests import factories

FY = 2025
DAY = factories.CANARY_DAY


@pytest.fixture
def stats_world(users_by_role):
    """About forty cases of FY2025: large cells, a few small ones, and every kind of record."""
    worker = users_by_role["city_caseworker"]
    areas = list(Area.objects.values_list("code", flat=True))
    guardianship = GuardianshipType.objects.get(code="guardianship")
    cases = []
    for i in range(40):
        case = factories.canary_case(
            worker,
            name=f"カナリア氏名{i}",
            sex="female" if i % 3 else "male",
            area=Area.objects.get(code=areas[i % 2]),
            household_type="alone" if i % 2 else "with_family",
            birth_date=datetime.date(1940, 1, 1),
            categories=["elderly"],
            concerns=["money"],
            is_new=i % 4 != 0,
            consulted_on=DAY + datetime.timedelta(days=i),
        )
        cases.append(case)
    # One rare combination: the only person of sex "other" in a rare area.
    rare = factories.canary_case(
        worker,
        name="カナリア希少",
        sex="other",
        area=Area.objects.get(code=areas[-1]),
        household_type="other",
        categories=["mental"],
        referrer_type="police",
    )
    cases.append(rare)
    for i, case in enumerate(cases[:20]):
        factories.case_record(
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
        factories.case_record(
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
        factories.case_record(
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
        factories.case_record(
            worker,
            case,
            TeamMeeting(kind="first", held_on=datetime.date(2025, 12, 1), notes="カナリア会議"),
        )
        factories.case_record(
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
            factories.case_record(
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
