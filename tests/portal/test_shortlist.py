"""The suggested shortlist: profession, speciality, area, rotation, with a reason for each."""

import pytest
from django.core.exceptions import ValidationError

from advocacy.accounts.roles import Role
from advocacy.portal.models import CandidateProfile
from advocacy.portal.selectors import shortlist
from tests import factories

pytestmark = pytest.mark.django_db


def _lawyer(specialities=(), languages=""):
    account = factories.professional_user(profession="lawyer")
    CandidateProfile.objects.create(
        professional=account.professional, specialities=list(specialities), languages=languages
    )
    return account.professional


def test_a_matching_speciality_ranks_first_and_says_why(city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker)
    plain = _lawyer()
    specialist = _lawyer(specialities=["disputes"], languages="日本語、英語")

    suggestions = shortlist(case=case, need="legal")

    assert [s.professional for s in suggestions[:2]] == [specialist, plain]
    assert any("得意分野: 紛争・訴訟" in reason for reason in suggestions[0].reasons)
    assert any("対応言語: 日本語、英語" in reason for reason in suggestions[0].reasons)
    assert not any("得意分野" in reason for reason in suggestions[1].reasons)


def test_unknown_specialities_are_refused():
    profile = CandidateProfile(
        professional=factories.professional_user().professional, specialities=["astrology"]
    )

    with pytest.raises(ValidationError) as error:
        profile.full_clean()

    assert "得意分野に不明な項目があります。" in str(error.value)


def test_the_request_offers_the_types_in_force_starting_from_the_conference_decision(
    worker_client, case, worker
):
    from advocacy.cases.models import Decision
    from advocacy.cases.services import record_save
    from advocacy.reference.models import GuardianshipType

    curatorship = GuardianshipType.objects.filter(code="curatorship", active=True).first()
    record_save(
        actor=worker,
        case=case,
        record=Decision(
            held_on=case.opened_on,
            participants="架空の参加者",
            outcome="guardianship",
            guardianship_type=curatorship,
            reasons="架空の理由",
        ),
    )

    form = worker_client.get(f"/app/portal/staff/cases/{case.pk}/").context["form"]
    refused = worker_client.post(
        f"/app/portal/staff/cases/{case.pk}/", {"type_sought": "自由に書いた類型"}
    )

    assert form.initial["type_sought"] == curatorship.pk
    assert {label for _value, label in form.fields["type_sought"].choices} >= {
        "後見",
        "保佐",
        "補助",
    }
    assert "type_sought" in refused.context["form"].errors
