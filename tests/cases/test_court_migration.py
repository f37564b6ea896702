"""cases.0010: the petition's free-text court becomes a listed court, or nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from advocacy.accounts.models import Organisation
from advocacy.accounts.roles import Role
from advocacy.cases.models import Petition
from advocacy.reference.models import FamilyCourt
from tests import factories

BEFORE = [("cases", "0009_consultation_new_by_rule")]
AFTER = [("cases", "0010_petition_court_choice")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_known_court_names_are_mapped_and_other_text_is_not_kept(capsys, latest_schema_after):
    city = factories.organisation(Organisation.Kind.CITY_OFFICE)
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    texts = {
        "大津家庭裁判所": "otsu",
        "大津家裁　彦根支部": "otsu-hikone",
        "ｵｵﾂ": None,  # not a court's name in any spelling the list knows
        "京都": "kyoto",
        "架空市の裁判所（本人 試験花子の件）": None,
        "": None,
    }
    petitions = {}
    for text in texts:
        case = factories.case_for(worker)
        petitions[text] = factories.case_record(
            worker, case, Petition(petitioner_type="relative")
        ).pk

    old = _migrate(BEFORE).get_model("cases", "Petition")
    for text, pk in petitions.items():
        old.objects.filter(pk=pk).update(court=text)
    _migrate(AFTER)

    courts = dict(Petition.objects.values_list("pk", "court__code"))
    assert {text: courts[pk] for text, pk in petitions.items()} == texts
    output = capsys.readouterr().out
    assert "2 petition(s) named no listed court" in output
    assert "試験" not in output and "架空市" not in output
    assert FamilyCourt.objects.filter(code="otsu-hikone", main_office__code="otsu").exists()


@pytest.mark.django_db
def test_the_seed_has_the_fifty_main_offices_and_the_branches_of_otsu():
    main = FamilyCourt.objects.filter(main_office__isnull=True)

    assert main.count() == 50
    assert all(name.endswith("家庭裁判所") for name in main.values_list("name", flat=True))
    assert set(
        FamilyCourt.objects.filter(main_office__code="otsu").values_list("name", flat=True)
    ) >= {"大津家庭裁判所彦根支部", "大津家庭裁判所長浜支部"}
