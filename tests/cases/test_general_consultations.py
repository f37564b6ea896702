"""一般相談: a contact that names no one is recorded, counted, and linked later to its case."""

import datetime
from http import HTTPStatus

import pytest

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import GeneralConsultation
from advocacy.reference.models import Area, MainConcern
from advocacy.stats import services as stats
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/app/general/"


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def general_post(**overrides):
    data = {
        "consulted_on": "2026-06-10",
        "channel": "phone",
        "referrer_type": "relative",
        "main_concerns": [MainConcern.objects.get(code="money").pk],
        "age_band": "80-84",
        "area": Area.objects.get(code="imazu").pk,
        "minutes": "20",
        "outcome": "information_given",
        "summary": "成年後見制度の申立費用について問い合わせ",
    }
    data.update(overrides)
    return data


def test_a_contact_without_a_person_is_recorded_audited_and_listed(client, worker):
    client.force_login(worker)

    response = client.post(f"{URL}new/", general_post())

    assert response.status_code == HTTPStatus.FOUND
    row = GeneralConsultation.objects.get()
    assert row.organisation_id == worker.organisation_id and row.case is None
    assert AuditEvent.objects.filter(action=Action.GENERAL_CONSULTATION_RECORDED).count() == 1
    page = client.get(URL).content.decode()
    assert "電話" in page and "20分" in page


def test_the_summary_is_stored_encrypted(client, worker):
    client.force_login(worker)
    client.post(f"{URL}new/", general_post(summary="カナリア制度の問い合わせ"))

    raw = GeneralConsultation.objects.values_list("summary", flat=True).get()
    assert "カナリア".encode() not in bytes(raw.blob)


@pytest.mark.parametrize(
    "summary",
    [
        "田中さんの娘から相談",
        "電話 090-1234-5678 に折り返し",
        "大津市打出浜1丁目に住む方",
        "昭和15年3月4日生まれの方",
    ],
)
def test_identifying_words_in_the_summary_are_warned_and_nothing_is_saved(client, worker, summary):
    client.force_login(worker)

    response = client.post(f"{URL}new/", general_post(summary=summary))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "個人が特定されるおそれ" in response.content.decode()
    assert not GeneralConsultation.objects.exists()
    # The warning names the kind only, never the words it found; the text is kept to edit.
    warning = " ".join(response.context["form"].non_field_errors())
    assert summary not in warning
    assert response.context["form"]["summary"].value() == summary


def test_a_warned_summary_may_be_kept_after_the_worker_confirms(client, worker):
    client.force_login(worker)

    response = client.post(
        f"{URL}new/", general_post(summary="田中さんの件", confirm_anonymous="on")
    )

    assert response.status_code == HTTPStatus.FOUND
    assert GeneralConsultation.objects.count() == 1


def test_it_is_counted_in_the_yearly_report_by_channel_and_outcome(worker):
    from advocacy.cases.services import general_consultation_record

    for _ in range(6):
        general_consultation_record(
            actor=worker,
            consultation=GeneralConsultation(
                consulted_on=datetime.date(2026, 6, 1),
                channel="visit",
                referrer_type="self",
                minutes=15,
                outcome="referred",
            ),
        )

    report = stats.report_build(fiscal_year=2026)
    table = next(t for t in report.tables() if t.key == "general")
    rows = [code for code, _label in table.rows]
    cols = [code for code, _label in table.cols]
    assert table.grid.cells[rows.index("visit")][cols.index("referred")] == 6
    assert sum(map(sum, table.grid.cells)) == 6


def test_it_is_linked_later_to_the_case_it_became(client, worker):
    client.force_login(worker)
    client.post(f"{URL}new/", general_post())
    row = GeneralConsultation.objects.get()
    case = factories.case_for(worker)

    response = client.post(f"{URL}{row.pk}/link/", {"case_number": case.number.lower()})

    assert response.status_code == HTTPStatus.FOUND
    row.refresh_from_db()
    assert row.case == case and row.outcome == "case_opened"
    assert AuditEvent.objects.filter(
        action=Action.GENERAL_CONSULTATION_LINKED, label=case.number
    ).exists()


def test_it_cannot_be_linked_to_a_case_the_worker_may_not_see(client, worker, city):
    client.force_login(worker)
    client.post(f"{URL}new/", general_post())
    row = GeneralConsultation.objects.get()
    hidden = factories.case_for(factories.user(Role.CITY_CASEWORKER, organisation=city))

    response = client.post(f"{URL}{row.pk}/link/", {"case_number": hidden.number})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    row.refresh_from_db()
    assert row.case is None


def test_another_organisations_record_is_not_found_and_the_refusal_audited(client, worker, council):
    other = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    client.force_login(other)
    client.post(f"{URL}new/", general_post())
    row = GeneralConsultation.objects.get()
    client.force_login(worker)

    assert client.get(URL).content.decode().count("<tr>") == 2  # header and "none yet"
    assert client.get(f"{URL}{row.pk}/link/").status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=worker).exists()


def test_professionals_and_committee_members_may_not_open_it(client, committee_org):
    for user in (
        factories.professional_user(),
        factories.user(Role.COMMITTEE_MEMBER, organisation=committee_org),
    ):
        client.force_login(user)
        assert client.get(URL).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)
        assert client.post(f"{URL}new/", general_post()).status_code in (
            HTTPStatus.FORBIDDEN,
            HTTPStatus.FOUND,
        )
    assert not GeneralConsultation.objects.exists()
