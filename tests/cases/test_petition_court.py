"""The petition's court is chosen from the list; typed text is refused."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from advocacy.cases.forms import PetitionForm
from advocacy.cases.models import Petition
from advocacy.reference.models import FamilyCourt
from tests import factories
from workflows.forms import PetitionFileForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


def test_the_forms_preselect_the_usual_court_and_offer_only_courts_in_use(settings):
    settings.ADVOCACY_DEFAULT_COURT = "otsu-hikone"
    FamilyCourt.objects.filter(code="kyoto-maizuru").update(active=False)

    for form in (PetitionForm(), PetitionFileForm()):
        offered = set(form.fields["court"].queryset.values_list("code", flat=True))
        assert form.initial["court"] == FamilyCourt.objects.get(code="otsu-hikone").pk
        assert "kyoto-maizuru" not in offered and {"otsu", "otsu-nagahama"} <= offered
    assert PetitionFileForm().fields["court"].required


def test_a_petitions_own_court_stays_offered_after_it_is_retired(worker):
    case = factories.case_for(worker)
    court = FamilyCourt.objects.get(code="kyoto-maizuru")
    petition = factories.case_record(
        worker, case, Petition(petitioner_type="relative", court=court)
    )
    court.active = False
    court.save()

    form = PetitionForm(instance=petition)

    assert form.fields["court"].queryset.filter(pk=court.pk).exists()


def test_a_typed_court_is_refused_and_nothing_is_saved(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)

    response = client.post(
        f"/app/cases/{case.pk}/records/petition/new/",
        {"petitioner_type": "relative", "court": "試験花子の件は大津家裁へ"},
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "court" in response.context["form"].errors
    assert "試験花子" not in " ".join(response.context["form"].errors["court"])
    assert not Petition.objects.filter(case=case).exists()
