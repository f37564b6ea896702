"""The yearly report: right counts, safe suppression, no decryption, audited views and exports."""

from __future__ import annotations

import csv
import io
from http import HTTPStatus

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.stats import services
from advocacy.stats.models import NationalFigure, Release
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


def _release(users, kind="before_committee"):
    return services.report_release(actor=users["city_supervisor"], fiscal_year=FY, kind=kind)


@pytest.mark.parametrize(
    ("role", "url"), [("committee_member", URL), ("city_supervisor", URL + "preview/")]
)
def test_committee_and_supervisors_see_the_report_and_it_is_audited(client, stats_world, role, url):
    users, _cases = stats_world
    release = _release(users)
    client.force_login(users[role])
    written = AuditEvent.objects.count()

    response = client.get(url, {"year": FY})

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert f"{FY}年度" in html
    assert "カナリア" not in html
    event = AuditEvent.objects.filter(action=Action.REPORT_VIEWED).latest("sequence")
    assert event.actor == users[role]
    assert event.label == f"FY{FY}" + (
        f" #{release.number}" if role == "committee_member" else " preview"
    )
    # A view writes its audit event and nothing else: no release, no pattern.
    assert AuditEvent.objects.count() == written + 1
    assert Release.objects.count() == 1
    if role == "city_supervisor":
        assert "未公表" in html


@pytest.mark.parametrize(
    "role", ["city_caseworker", "council_caseworker", "professional", "system_admin", "no_role"]
)
def test_other_roles_are_refused(client, stats_world, role):
    users, _cases = stats_world
    force_login_verified(client, users[role])

    for url in (URL, URL + "preview/", URL + "export.csv", URL + "export.xlsx", URL + "print/"):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.get(URL + "release/").status_code == HTTPStatus.FORBIDDEN
    assert client.post(URL + "release/", _release_post()).status_code == HTTPStatus.FORBIDDEN
    assert not Release.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.REPORT_VIEWED).exists()


def _trim(row) -> list[str]:
    cells = ["" if c is None else str(c) for c in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def test_exports_hold_exactly_what_the_screen_shows_and_are_audited(client, stats_world):
    users, _cases = stats_world
    release = _release(users)
    client.force_login(users["committee_member"])
    expected = services.report_rows(services.release_report(release))

    csv_response = client.get(URL + "export.csv", {"year": FY})
    xlsx_response = client.get(URL + "export.xlsx", {"release": release.pk})
    printed = client.get(URL + "print/", {"year": FY})

    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows == expected
    assert rows[0] == [f"{FY}年度（令和7年度） 権利擁護支援の統計"]
    assert rows[1][0].startswith("第1版（委員会前の公表）令和")
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [_trim(row) for row in sheet.iter_rows(values_only=True)] == [
        _trim(row) for row in expected
    ]
    assert printed.status_code == HTTPStatus.OK
    html = printed.content.decode()
    for table in services.release_report(release).tables():
        for label, cells in table.body():
            assert f"<tr><th>{label}</th>" + "".join(f"<td>{c}</td>" for c in cells) in html
    exported = AuditEvent.objects.filter(action=Action.REPORT_EXPORTED).order_by("sequence")
    assert [e.label for e in exported] == [f"FY{FY} #1 csv", f"FY{FY} #1 xlsx"]
    assert "カナリア" not in csv_response.content.decode("utf-8-sig")


def test_the_committee_sees_the_release_not_the_live_figures(client, stats_world):
    users, _cases = stats_world
    release = _release(users)
    released = services.report_rows(services.release_report(release))
    for i in range(6):
        factories.canary_case(users["city_caseworker"], name=f"カナリア公表後{i}", sex="male")
    live = services.report_rows(services.report_build(fiscal_year=FY))
    assert live[3:] != released[3:]
    client.force_login(users["committee_member"])

    html = client.get(URL, {"year": FY}).content.decode()
    csv_rows = list(
        csv.reader(
            io.StringIO(client.get(URL + "export.csv", {"year": FY}).content.decode("utf-8-sig"))
        )
    )

    assert csv_rows == released
    sex = next(t for t in services.release_report(release).tables() if t.key == "c_sex")
    for label, cells in sex.body():
        assert f"<tr><th>{label}</th>" + "".join(f"<td>{c}</td>" for c in cells) in html


def test_before_a_release_the_committee_sees_none_and_exports_nothing(client, stats_world):
    users, _cases = stats_world
    client.force_login(users["committee_member"])

    html = client.get(URL, {"year": FY}).content.decode()

    assert "まだ公表されていません" in html
    assert '<table class="stats-table" data-testid="stats-table-' not in html
    for url in (URL + "export.csv", URL + "export.xlsx", URL + "print/"):
        assert client.get(url, {"year": FY}).status_code == HTTPStatus.NOT_FOUND
    assert not AuditEvent.objects.filter(action=Action.REPORT_VIEWED).exists()


def test_a_later_release_keeps_the_cells_an_earlier_one_hid(stats_world):
    users, _cases = stats_world
    first = services.release_grids(_release(users))
    factories.canary_case(users["city_caseworker"], name="カナリア後続", sex="male")

    second = services.release_grids(_release(users))

    hidden_before = {g.key: g.hidden for g in first}
    for grid in second:
        assert hidden_before[grid.key] <= grid.hidden


def test_a_supervisor_previews_but_neither_releases_nor_exports_by_viewing(client, stats_world):
    users, _cases = stats_world
    client.force_login(users["city_supervisor"])

    # The committee's page takes a supervisor to the preview (the menu leads there).
    home = client.get(URL, {"year": FY})
    assert home.status_code == HTTPStatus.FOUND
    assert home.url == f"{URL}preview/?year={FY}"
    assert client.get(URL + "export.csv", {"year": FY}).status_code == HTTPStatus.FORBIDDEN
    preview = client.get(URL + "preview/", {"year": FY}).content.decode()
    live = services.report_rows(services.report_build(fiscal_year=FY))

    for row in live:
        if len(row) > 1 and row[0] == "計":
            assert "<tr><th>計</th>" in preview
    assert "未公表" in preview
    assert not Release.objects.exists()


def _release_post(**extra):
    return {"fiscal_year": FY, "kind": "before_committee", "confirm": "on", **extra}


def test_a_supervisor_releases_after_confirming_and_it_is_audited(client, stats_world):
    users, _cases = stats_world
    supervisor = users["city_supervisor"]
    client.force_login(supervisor)

    form = client.get(URL + "release/", {"year": FY}).content.decode()
    unconfirmed = client.post(URL + "release/", {"fiscal_year": FY, "kind": "before_committee"})
    assert "取り消せません" in form
    assert unconfirmed.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert not Release.objects.exists()
    live = services.report_rows(services.report_build(fiscal_year=FY))

    response = client.post(URL + "release/", _release_post())

    assert response.status_code == HTTPStatus.FOUND
    release = Release.objects.get()
    assert (release.fiscal_year, release.number, release.kind) == (FY, 1, "before_committee")
    assert release.released_by == supervisor
    assert services.report_rows(services.release_report(release))[3:] == live[3:]
    event = AuditEvent.objects.get(action=Action.REPORT_RELEASED)
    assert (event.actor, event.label) == (supervisor, f"FY{FY} #1 before_committee")


def test_the_final_release_closes_the_year(stats_world):
    from django.core.exceptions import ValidationError

    users, _cases = stats_world
    _release(users)
    final = _release(users, kind="final")
    assert final.number == 2

    for kind in ("before_committee", "final"):
        with pytest.raises(ValidationError):
            _release(users, kind=kind)
    assert Release.objects.count() == 2
    assert AuditEvent.objects.filter(action=Action.REPORT_RELEASED).count() == 2


def test_a_year_not_yet_over_has_no_final_release_and_a_future_year_none(stats_world):
    from django.core.exceptions import ValidationError

    from advocacy.dates import fiscal_year_of

    users, _cases = stats_world
    current = fiscal_year_of(timezone.localdate())
    with pytest.raises(ValidationError):
        services.report_release(actor=users["city_supervisor"], fiscal_year=current, kind="final")
    with pytest.raises(ValidationError):
        services.report_release(
            actor=users["city_supervisor"], fiscal_year=current + 1, kind="before_committee"
        )
    assert not Release.objects.exists()


def test_the_release_list_is_paginated_and_links_each_release(client, stats_world):
    users, _cases = stats_world
    releases = [_release(users) for _ in range(12)]
    client.force_login(users["committee_member"])

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert first.count("?release=") - first.count("export") >= 10
    assert f'?release={releases[-1].pk}"' in first
    assert f'?release={releases[0].pk}"' in second
    assert f'?release={releases[0].pk}"' not in first
    assert "1 / 2 ページ" in first


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
    _release(users)
    client.force_login(users["committee_member"])

    html = client.get(URL, {"year": FY}).content.decode()

    assert "/app/cases/" not in html
    assert html.count("<select") == 1
    assert 'name="year"' in html


def test_earlier_years_in_the_chart_come_from_their_release_not_the_live_tables(users_by_role):
    import datetime

    worker = users_by_role["city_caseworker"]
    supervisor = users_by_role["city_supervisor"]
    for i in range(6):
        factories.canary_case(
            worker, name=f"カナリア前年{i}", consulted_on=datetime.date(FY - 1, 6, 1 + i)
        )
    services.report_release(actor=supervisor, fiscal_year=FY - 1, kind="final")
    factories.canary_case(worker, name="カナリア前年追加", consulted_on=datetime.date(FY - 1, 7, 1))

    years = {row[5]: row[1:4] for row in services.report_build(fiscal_year=FY).years}

    assert years[FY - 1] == ("6", "0", "6")  # as released, not the live 7
    assert years[FY - 2] == ("—", "—", "—")  # never released


def test_a_lead_time_count_that_moved_by_less_than_k_since_a_release_is_hidden(users_by_role):
    import datetime

    sent = datetime.datetime(FY, 6, 1, 10, 0, tzinfo=datetime.UTC)

    def answer(requests):
        for request in requests:
            type(request).objects.filter(pk=request.pk).update(
                sent_at=sent, answered_at=sent + datetime.timedelta(hours=24), status="declined"
            )

    def lead(report):
        return {label: (n, median) for label, n, median in report.lead_times}[
            "受任調整依頼 → 専門職の回答"
        ]

    answer(_send_requests(users_by_role, 5))
    first = services.report_release(
        actor=users_by_role["city_supervisor"], fiscal_year=FY, kind="before_committee"
    )
    assert lead(services.release_report(first)) == ("5", "1.0日")
    answer(_send_requests(users_by_role, 1))

    assert lead(services.report_build(fiscal_year=FY)) == ("＊", "＊")


def test_a_release_is_rendered_once_in_every_language_and_served_as_stored(client, stats_world):
    users, _cases = stats_world
    release = _release(users)
    stored = Release.objects.get(pk=release.pk).html
    assert sorted(stored) == ["en", "ja"]
    client.force_login(users["committee_member"])
    before = client.get(URL, {"year": FY}).content.decode()
    assert stored["ja"] in before
    # Served from the stored fragment, not rebuilt: a marker put into it shows on the page
    # (a release is never changed; this only proves where the page reads from).
    Release.objects.filter(pk=release.pk).update(
        html={"ja": stored["ja"] + '<p data-testid="from-store"></p>', "en": stored["en"]}
    )

    for url in (URL, URL + "print/"):
        assert 'data-testid="from-store"' in client.get(url, {"year": FY}).content.decode()


def test_the_stored_tables_are_those_rendered_from_the_released_cells(stats_world):
    from django.template.loader import render_to_string
    from django.utils import translation

    users, _cases = stats_world
    release = _release(users)

    for code in ("ja", "en"):
        with translation.override(code):
            fresh = render_to_string(
                services.REPORT_TEMPLATE, {"report": services.release_report(release)}
            )
        assert release.html[code] == fresh


def test_a_release_stored_without_its_tables_is_rendered_from_its_cells(client, stats_world):
    users, _cases = stats_world
    release = _release(users)
    Release.objects.filter(pk=release.pk).update(html={})
    client.force_login(users["committee_member"])

    html = client.get(URL, {"year": FY}).content.decode()

    assert release.html["ja"] in html
