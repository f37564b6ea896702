"""The yearly report: right counts, safe suppression, no decryption, audited views and exports."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from openpyxl import load_workbook

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.stats import services
from advocacy.stats.models import NationalFigure, PublishedPattern
from tests import factories
from tests.portal.otp import force_login_verified
from tests.stats.conftest import FY
from tests.stats.lpaudit import hidden_ranges

pytestmark = pytest.mark.django_db

URL = "/app/stats/"


def _cells(report, key):
    table = next(t for t in report.tables() if t.key == key)
    return {label: cells for label, cells in table.body()}


def test_counts_come_out_right_and_small_cells_are_hidden(stats_world):
    report = services.report_build(fiscal_year=FY)

    sex = _cells(report, "c_sex")
    assert sex["計"] == ["31", "10", "41"]
    assert sex["その他"][2] == services.HIDDEN
    assert sex["不明"] == ["0", "0", "0"]  # zeros are shown
    petitions = _cells(report, "petitions")
    assert petitions["市町村長"][-1] == "6"
    assert petitions["計"][-1] == "20"
    lead = {label: (n, median) for label, n, median in report.lead_times}
    assert lead["申立 → 審判"] == ("12", "61.0日")


def test_no_published_cell_is_small_and_every_hidden_cell_moves_by_k(stats_world):
    report = services.report_build(fiscal_year=FY)

    grids = [t.grid for t in report.tables() if t.follows is None]
    for table in report.tables():
        for _label, cells in table.body():
            for cell in cells:
                if cell != services.HIDDEN and table.unit != "円":
                    assert not 0 < int(cell.replace(",", "")) < report.k
    for key, (lo, hi, true) in hidden_ranges(grids).items():
        assert hi - lo >= report.k, (key, lo, hi, true)


def test_consultations_are_counted_by_the_age_on_the_consultation_day(users_by_role):
    import datetime

    from advocacy.cases.models import Consultation
    from tests.stats.conftest import DAY

    worker = users_by_role["city_caseworker"]
    born = datetime.date(DAY.year - 75, DAY.month, DAY.day + 1)  # 74 on DAY, 75 a day later
    for i in range(6):
        factories.canary_case(worker, name=f"カナリア年齢{i}", birth_date=born)

    assert set(Consultation.objects.values_list("age_band", flat=True)) == {"70-74"}
    age = _cells(services.report_build(fiscal_year=FY), "c_age")
    assert age["65〜74歳"] == ["6", "0", "6"]
    assert age["75〜84歳"] == ["0", "0", "0"]


@pytest.mark.parametrize("n_cases", [1, 2, 3])
def test_a_year_with_very_few_cases_publishes_nothing_recomputable(users_by_role, n_cases):
    worker = users_by_role["city_caseworker"]
    for i in range(n_cases):
        factories.canary_case(worker, name=f"カナリア少数{i}", sex="male" if i else "female")
    report = services.report_build(fiscal_year=FY)

    grids = [t.grid for t in report.tables() if t.follows is None]
    ranges = hidden_ranges(grids)
    assert ranges  # the cases' own counts are hidden, not left out
    for key, (lo, hi, true) in ranges.items():
        assert hi - lo >= report.k, (key, lo, hi, true)


def test_the_threshold_comes_from_settings(stats_world, settings):
    settings.ADVOCACY_STATS_K = 11

    report = services.report_build(fiscal_year=FY)

    assert report.k == 11
    assert _cells(report, "c_sex")["計"][1] == services.HIDDEN  # 10 continuing


def test_statistics_never_decrypt(stats_world, monkeypatch):
    from advocacy.crypto import fields

    def refuse(*args, **kwargs):
        raise AssertionError("statistics decrypted a field")

    monkeypatch.setattr(fields.EncryptedMixin, "from_db_value", refuse)
    monkeypatch.setattr(fields.EncryptedMixin, "_decrypt", refuse)

    services.report_build(fiscal_year=FY)


def test_national_figures_are_seeded_with_source_and_year(db):
    figure = NationalFigure.objects.get(code="petitions", year=2024)
    assert figure.value == 41841
    assert "最高裁判所" in figure.source


@pytest.mark.parametrize(
    ("role", "url"), [("committee_member", URL), ("city_supervisor", URL + "preview/")]
)
def test_committee_and_supervisors_see_the_report_and_it_is_audited(client, stats_world, role, url):
    users, _cases = stats_world
    client.force_login(users[role])

    response = client.get(url, {"year": FY})

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f"{FY}年度" in html
    assert "カナリア" not in html
    event = AuditEvent.objects.filter(action=Action.REPORT_VIEWED).latest("sequence")
    assert event.actor == users[role]
    assert event.label == f"FY{FY}" + ("" if role == "committee_member" else " preview")
    # Only the committee's view is a publication.
    assert PublishedPattern.objects.filter(fiscal_year=FY).exists() == (role == "committee_member")


@pytest.mark.parametrize(
    "role", ["city_caseworker", "council_caseworker", "professional", "system_admin", "no_role"]
)
def test_other_roles_are_refused(client, stats_world, role):
    users, _cases = stats_world
    force_login_verified(client, users[role])

    for url in (URL, URL + "preview/", URL + "export.csv", URL + "export.xlsx", URL + "print/"):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert not AuditEvent.objects.filter(action=Action.REPORT_VIEWED).exists()


def _trim(row) -> list[str]:
    cells = ["" if c is None else str(c) for c in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def test_exports_hold_exactly_what_the_screen_shows_and_are_audited(client, stats_world):
    users, _cases = stats_world
    client.force_login(users["committee_member"])
    expected = services.report_rows(services.report_build(fiscal_year=FY))

    csv_response = client.get(URL + "export.csv", {"year": FY})
    xlsx_response = client.get(URL + "export.xlsx", {"year": FY})
    printed = client.get(URL + "print/", {"year": FY})

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows == expected
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [_trim(row) for row in sheet.iter_rows(values_only=True)] == [
        _trim(row) for row in expected
    ]
    assert printed.status_code == HTTPStatus.OK
    html = printed.content.decode()
    for table in services.report_build(fiscal_year=FY).tables():
        for label, cells in table.body():
            assert f"<tr><th>{label}</th>" + "".join(f"<td>{c}</td>" for c in cells) in html
    exported = AuditEvent.objects.filter(action=Action.REPORT_EXPORTED).order_by("sequence")
    assert [e.label for e in exported] == [f"FY{FY} csv", f"FY{FY} xlsx"]
    assert "カナリア" not in csv_response.content.decode("utf-8-sig")


def test_a_later_release_keeps_the_cells_an_earlier_one_hid(stats_world):
    first = services.report_build(fiscal_year=FY, publish=True)
    hidden_before = {t.key: set(map(tuple, t.hidden_codes())) for t in first.tables()}

    second = services.report_build(fiscal_year=FY, publish=True)

    for table in second.tables():
        assert hidden_before[table.key] <= set(map(tuple, table.hidden_codes()))


def test_a_supervisor_previews_but_neither_publishes_nor_exports(client, stats_world):
    users, _cases = stats_world
    client.force_login(users["city_supervisor"])

    assert client.get(URL, {"year": FY}).status_code == HTTPStatus.FORBIDDEN
    assert client.get(URL + "export.csv", {"year": FY}).status_code == HTTPStatus.FORBIDDEN
    preview = client.get(URL + "preview/", {"year": FY}).content.decode()
    committee = services.report_rows(services.report_build(fiscal_year=FY))

    for row in committee:
        if len(row) > 1 and row[0] == "計":
            assert "<tr><th>計</th>" in preview
    assert not PublishedPattern.objects.exists()


def _send_requests(users_by_role, count: int) -> list:
    """Send count coordination requests, each for a case of its own, to the test lawyer."""
    from advocacy.portal import services as portal
    from tests import factories
    from tests.portal.conftest import summary_for

    worker = users_by_role["city_caseworker"]
    lawyer = users_by_role["professional"].professional
    requests = []
    for _ in range(count):
        case = factories.case_for(worker)
        requests.append(
            portal.request_send(
                actor=worker,
                case=case,
                professional=lawyer,
                need="legal",
                summary=summary_for(case),
                portal_url="/app/portal/",
            )
        )
    return requests


def test_appointment_coordination_requests_are_counted_by_profession_and_outcome(
    users_by_role,
):
    import datetime

    from advocacy.stats.selectors import coordination_counts

    in_year = datetime.datetime(FY, 6, 1, 10, 0, tzinfo=datetime.UTC)
    for request in _send_requests(users_by_role, 3):
        type(request).objects.filter(pk=request.pk).update(sent_at=in_year)

    assert coordination_counts(FY) == {("lawyer", "sent"): 3}
    assert coordination_counts(FY + 1) == {}


@pytest.mark.parametrize(("answered", "shown"), [(5, ("5", "1.5日")), (4, ("＊", "＊"))])
def test_the_median_time_to_answer_a_request_is_a_lead_time(users_by_role, answered, shown):
    import datetime

    sent = datetime.datetime(FY, 6, 1, 10, 0, tzinfo=datetime.UTC)
    requests = _send_requests(users_by_role, answered)
    for request, hours in zip(requests, [12, 24, 36, 48, 60][:answered], strict=True):
        type(request).objects.filter(pk=request.pk).update(
            sent_at=sent, answered_at=sent + datetime.timedelta(hours=hours), status="declined"
        )

    lead = {
        label: (n, median) for label, n, median in services.report_build(fiscal_year=FY).lead_times
    }
    assert lead["受任調整依頼 → 専門職の回答"] == shown


def test_statistics_read_from_the_stats_alias_when_there_is_one(monkeypatch):
    from django.conf import settings

    from advocacy.stats.selectors import stats_alias

    assert stats_alias() == "default"
    # Only the alias's presence matters here; no connection is opened to it.
    monkeypatch.setitem(settings.DATABASES, "stats", settings.DATABASES["default"])
    assert stats_alias() == "stats"


def test_the_screen_links_to_no_case_and_offers_only_the_year(client, stats_world):
    users, _cases = stats_world
    client.force_login(users["committee_member"])

    html = client.get(URL, {"year": FY}).content.decode()

    assert "/app/cases/" not in html
    assert html.count("<select") == 1
    assert 'name="year"' in html
