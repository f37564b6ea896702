"""Comparable national figures (issue 14, item 8): each says what it counts, on which basis,
from which counts; the city's figure is printed only when counted the same way."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from advocacy.accounts.roles import Role
from advocacy.cases.models import Petition
from advocacy.cases.services import record_save
from advocacy.reference.models import GuardianshipType
from advocacy.stats import services
from advocacy.stats.models import NationalFigure
from tests import factories

pytestmark = pytest.mark.django_db


def _row(report, code):
    label = NationalFigure.objects.get(code=code, year=2024).label
    return next(row for row in report.national if row[0] == label)


def _petitions(worker, days, petitioner="mayor"):
    gtype = GuardianshipType.objects.get(code="guardianship")
    for day in days:
        case = factories.case_for(worker, consulted_on=day - datetime.timedelta(days=30))
        record_save(
            actor=worker,
            case=case,
            record=Petition(
                petitioner_type=petitioner,
                approved_on=day - datetime.timedelta(days=5),
                filed_on=day,
                type_sought=gtype,
            ),
        )


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def test_every_national_figure_states_its_definition_basis_and_source(db):
    figures = list(NationalFigure.objects.all())

    assert figures
    for figure in figures:
        assert figure.definition, figure.code
        assert figure.period in NationalFigure.Period.values, figure.code
        assert figure.basis in NationalFigure.Basis.values, figure.code
        assert "最高裁判所" in figure.source
    mayor = NationalFigure.objects.get(code="mayor_petition_share", year=2024)
    assert (mayor.period, mayor.basis) == ("calendar", "closed")
    petitions = NationalFigure.objects.get(code="petitions", year=2024)
    assert (petitions.period, petitions.basis, petitions.numerator) == ("calendar", "filed", 41841)


def test_every_stored_figure_agrees_with_its_counts_or_says_they_are_unknown(db):
    for figure in NationalFigure.objects.all():
        figure.full_clean()
        if figure.counts_known:
            assert figure.counts_agree(), figure.code
    # The shares were published without their counts: unknown, never borrowed from another
    # figure (41,841 petitions filed is not the denominator of a share of closed cases).
    for code in ("mayor_petition_share", "dementia_cause_share"):
        figure = NationalFigure.objects.get(code=code, year=2024)
        assert (figure.numerator, figure.denominator) == (None, None)
        assert not figure.counts_known


def test_a_share_that_does_not_equal_its_counts_is_refused(db):
    figure = NationalFigure(
        code="test_share",
        label="架空の割合",
        year=2030,
        value=Decimal("23.9"),
        unit="%",
        source="最高裁判所事務総局家庭局「成年後見関係事件の概況」（架空の年）",
        definition="架空",
        period="calendar",
        basis="closed",
        numerator=2390,
        denominator=41841,
    )
    with pytest.raises(ValidationError):
        figure.full_clean()
    figure.numerator, figure.denominator = 239, 1000
    figure.full_clean()
    figure.numerator, figure.denominator = 10000, 41841  # 23.90%: within rounding
    figure.full_clean()
    figure.denominator = None
    with pytest.raises(ValidationError):
        figure.full_clean()


def test_the_mayor_share_is_not_compared_when_its_counts_are_unknown(worker):
    # Ten mayor's petitions the agency supported: the old report printed 100.0% beside the
    # national 23.9% of all closed cases.
    _petitions(worker, [datetime.date(2024, 6, 1) + datetime.timedelta(days=i) for i in range(10)])

    row = _row(services.report_build(fiscal_year=2024), "mayor_petition_share")

    assert row.ours == "—"
    assert "比較しない" in row.ours_definition
    assert "終局事件" in row.definition


def test_petitions_are_compared_in_the_calendar_year_of_filing(worker):
    # January–March 2024 belong to FY2023, January–March 2025 to FY2024.
    early_2024 = [datetime.date(2024, 2, 1) + datetime.timedelta(days=i) for i in range(6)]
    mid_2024 = [datetime.date(2024, 6, 1) + datetime.timedelta(days=i) for i in range(5)]
    early_2025 = [datetime.date(2025, 2, 1) + datetime.timedelta(days=i) for i in range(7)]
    _petitions(worker, early_2024 + mid_2024 + early_2025, petitioner="relative")

    row = _row(services.report_build(fiscal_year=2024), "petitions")

    # Calendar 2024: 6 + 5, not the fiscal year's 5 + 7.
    assert row.ours == "11件"
    assert "2024年1月〜12月" in row.ours_definition
    assert "暦年" in row.national


def test_a_small_city_count_is_hidden(worker):
    _petitions(worker, [datetime.date(2024, 6, 1), datetime.date(2024, 7, 1)])

    assert _row(services.report_build(fiscal_year=2024), "petitions").ours == "＊"


def test_figures_the_city_cannot_count_the_same_way_are_not_compared(worker):
    report = services.report_build(fiscal_year=2024)

    for code in ("people_under_guardianship", "dementia_cause_share"):
        row = _row(report, code)
        assert row.ours == "—"
        assert "比較しない" in row.ours_definition


def test_the_definition_is_printed_beside_each_line_on_screen_and_in_the_export(
    client, users_by_role
):
    # The committee sees a release: a supervisor releases the year first.
    services.report_release(
        actor=users_by_role["city_supervisor"], fiscal_year=2024, kind="before_committee"
    )
    client.force_login(users_by_role["committee_member"])
    report = services.report_build(fiscal_year=2024)
    rows = services.report_rows(report)

    html = client.get("/app/stats/", {"year": 2024}).content.decode()

    for line in report.national:
        assert list(line) in rows
        assert f"<th>{line.label}</th><td>{line.definition}</td>" in html
    assert ["項目", "定義", "全国", "本市", "本市の定義", "出典"] in rows
