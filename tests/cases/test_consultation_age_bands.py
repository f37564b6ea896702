"""The command that recomputes consultations' age bands from the encrypted birth dates."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from advocacy.accounts.roles import Role
from advocacy.cases.models import Consultation
from advocacy.cases.services import person_erase
from tests import factories

pytestmark = pytest.mark.django_db


def test_bands_are_recomputed_from_the_birth_date_and_erased_persons_left_alone(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    born = datetime.date(1950, 6, 3)
    cases = [
        factories.case_for(worker, birth_date=born, consulted_on=datetime.date(2025, 6, 2))
        for _ in range(3)
    ]
    erased = factories.case_for(worker, birth_date=born, consulted_on=datetime.date(2025, 6, 2))
    person_erase(actor=supervisor, case=erased, reason="本人の申出（架空）")
    # As migration cases.0003 leaves them: the person's band at the record's last save.
    Consultation.objects.update(age_band="75-79")

    out = StringIO()
    call_command("consultation_age_bands", "--batch-size", "2", "--no-progress", stdout=out)

    assert "Read 4 consultations; corrected the age band of 3." in out.getvalue()
    bands = dict(Consultation.objects.values_list("case_id", "age_band"))
    assert [bands[case.pk] for case in cases] == ["70-74"] * 3  # 74 on 2 June 2025
    assert bands[erased.pk] == "75-79"
    # A second run finds nothing to correct.
    call_command("consultation_age_bands", "--no-progress", stdout=(again := StringIO()))
    assert "corrected the age band of 0." in again.getvalue()
