"""Forms as a Japanese caseworker expects: nothing cut silently, required fields marked, 和暦."""

import datetime
from http import HTTPStatus

import pytest

from advocacy.accounts.roles import Role
from advocacy.cases.models import Consultation
from advocacy.dates import fiscal_year_label
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def test_no_form_field_carries_a_maxlength_that_would_cut_text(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)

    for url in (
        "/app/cases/new/",
        f"/app/cases/{case.pk}/records/consultation/new/",
        f"/app/cases/{case.pk}/person/",
        "/app/general/new/",
    ):
        page = client.get(url).content.decode()
        assert "maxlength" not in page, url
        assert "data-max-length" in page, url


def test_an_over_long_text_is_refused_with_a_message_and_kept(client, worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 1))
    client.force_login(worker)
    text = "長" * 4001

    response = client.post(
        f"/app/cases/{case.pk}/records/consultation/new/",
        {
            "consulted_on": "2026-04-02",
            "channel": "phone",
            "referrer_type": "relative",
            "notes": text,
        },
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    errors = response.context["form"].errors["notes"]
    assert "4000" in errors[0] and "4001" in errors[0]
    assert response.context["form"]["notes"].value() == text
    assert Consultation.objects.filter(case=case).count() == 1


def test_required_fields_carry_the_required_attribute_and_the_style_marks_them(client, worker):
    client.force_login(worker)

    page = client.get("/app/cases/new/").content.decode()

    assert 'name="person-name"' in page
    name_input = page.split('name="person-name"')[1].split(">")[0]
    assert "required" in name_input
    css = client.get("/static/cases/cases.css")
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert "（必須）".encode() in body


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2026, "2026年度（令和8年度）"),
        (2019, "2019年度（令和元年度）"),
        (2018, "2018年度（平成30年度）"),
        (1989, "1989年度（平成元年度）"),
        (1988, "1988年度（昭和63年度）"),
    ],
)
def test_fiscal_years_are_named_in_both_calendars(year, label):
    assert fiscal_year_label(year) == label


def test_the_committee_report_names_its_year_in_wareki(client, committee_org):
    member = factories.user(Role.COMMITTEE_MEMBER, organisation=committee_org)
    client.force_login(member)

    page = client.get("/app/stats/", {"year": 2025}).content.decode()

    assert "2025年度（令和7年度）" in page
