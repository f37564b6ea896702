"""The case screens through real URLs: intake, records, search, bad input, raw storage."""

import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Consultation, Person, Petition
from advocacy.cases.services import record_save
from advocacy.reference.models import Area, FamilyCourt, MainConcern, PersonCategory
from tests import factories
from tests.rawscan import dump, encodings

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def intake_post(**overrides):
    data = {
        "person-name": "瀬戸内 カナリア",
        "person-kana": "せとうち かなりあ",
        "person-birth_date": "1941-02-03",
        "person-sex": "female",
        "person-address": "架空県カナリア町9-9-9",
        "person-phone": "090-4242-4242",
        "person-area": Area.objects.get(code="imazu").pk,
        "person-categories": [PersonCategory.objects.get(code="elderly").pk],
        "person-living_situation": "home",
        "person-household_type": "alone",
        "person-wishes": "カナリアの家で暮らしたい",
        "person-current_services": "",
        "consultation-consulted_on": "2026-05-01",
        "consultation-is_new": "on",
        "consultation-channel": "phone",
        "consultation-referrer_type": "care_manager",
        "consultation-caller": "カナリア相談者",
        "consultation-referrer_organisation": "カナリア包括",
        "consultation-main_concerns": [MainConcern.objects.get(code="money").pk],
        "consultation-notes": "カナリアの相談内容",
        "case-urgency": "normal",
        "case-consent": "given",
        "case-consent_on": "2026-05-01",
        "case-purpose": "core_agency",
        "case-confirm_intake": "on",
    }
    data.update(overrides)
    return data


CANARIES = [
    "瀬戸内 カナリア",
    "せとうち かなりあ",
    "架空県カナリア町",
    "090-4242-4242",
    "カナリアの家で暮らしたい",
    "カナリア相談者",
    "カナリアの相談内容",
    "1941-02-03",
    "カナリア判断能力",
    "カナリア事件番号",
]


def test_a_full_case_entered_through_the_screens_leaves_no_plaintext_in_any_table(client, worker):
    client.force_login(worker)

    response = client.post("/app/cases/new/", intake_post())
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    case = Case.objects.get()
    base = f"/app/cases/{case.pk}/records"
    assert (
        client.post(
            f"{base}/assessment/new/",
            {
                "assessed_on": "2026-05-10",
                "capacity_notes": "カナリア判断能力",
                "info_sheet_status": "received",
                "certificate_status": "requested",
                "doctor_view": "guardianship",
            },
        ).status_code
        == HTTPStatus.FOUND
    )
    assert (
        client.post(
            f"{base}/petition/new/",
            {
                "petitioner_type": "relative",
                "court": FamilyCourt.objects.get(code="otsu").pk,
                "documents": ["petition", "info_sheet"],
                "filed_on": "2026-06-01",
                "court_case_number": "カナリア事件番号",
                "ruling_on": "2026-07-01",
            },
        ).status_code
        == HTTPStatus.FOUND
    )

    # The screens show the values back to an entitled user...
    page = client.get(f"/app/cases/{case.pk}/").content.decode()
    assert "瀬戸内 カナリア" in page and "カナリア判断能力" in page
    # ...while no table holds any of them in any encoding.
    haystack = dump(*connection.introspection.table_names())
    for canary in CANARIES:
        for form in encodings(canary):
            assert form not in haystack, canary


def test_intake_refuses_impossible_values_with_a_message_per_field_and_saves_nothing(
    client, worker
):
    client.force_login(worker)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()

    response = client.post(
        "/app/cases/new/",
        intake_post(
            **{
                "person-birth_date": tomorrow,
                "person-categories": ["999999"],
                "person-name": "あ" * 101,
                "consultation-consulted_on": tomorrow,
            }
        ),
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = response.content.decode()
    assert "生年月日に未来の日付は入力できません。" in html
    assert "未来の日付は入力できません。" in html
    assert "100 文字以下" in html  # Django's Japanese max-length message
    assert "選択肢ではありません" in html or "正しく選択してください" in html
    assert Person.objects.count() == Case.objects.count() == Consultation.objects.count() == 0


def test_a_ruling_before_the_petition_is_refused_and_nothing_is_saved(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)

    response = client.post(
        f"/app/cases/{case.pk}/records/petition/new/",
        {
            "petitioner_type": "relative",
            "court": FamilyCourt.objects.get(code="otsu").pk,
            "filed_on": "2026-06-01",
            "ruling_on": "2026-05-01",
        },
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "審判日は申立日より前にはできません。" in response.content.decode()
    assert Petition.objects.count() == 0


def test_duplicate_in_another_organisation_is_named_by_organisation_only(client, worker, council):
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    factories.case_for(
        council_worker,
        name="別組織 既存",
        kana="せとうち かなりあ",
        birth_date=datetime.date(1941, 2, 3),
    )
    client.force_login(worker)

    # Katakana and half-width spacing differ; the blind index still matches.
    warned = client.post("/app/cases/new/", intake_post(**{"person-kana": "セトウチ　カナリア"}))

    assert warned.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = warned.content.decode()
    assert "登録されている可能性があります" in html
    assert str(council) in html
    assert "別組織 既存" not in html
    assert Case.objects.count() == 1

    confirmed = client.post(
        "/app/cases/new/",
        intake_post(
            **{
                "person-kana": "セトウチ　カナリア",
                "case-confirm_duplicate": "on",
            }
        ),
    )
    assert confirmed.status_code == HTTPStatus.FOUND
    assert Case.objects.count() == 2


def test_search_finds_by_kana_in_any_form_and_refuses_birth_date_alone(client, worker):
    case = factories.case_for(worker, kana="やまかわ ゆき", birth_date=datetime.date(1939, 9, 9))
    factories.case_for(worker, kana="やまかわ ゆきこ")
    client.force_login(worker)

    found = client.post("/app/cases/search/", {"kana": "ﾔﾏｶﾜ ﾕｷ"})
    with_date = client.post(
        "/app/cases/search/", {"kana": "ヤマカワユキ", "birth_date": "1939-09-09"}
    )
    wrong_date = client.post(
        "/app/cases/search/", {"kana": "やまかわゆき", "birth_date": "1939-09-10"}
    )
    date_only = client.post("/app/cases/search/", {"birth_date": "1939-09-09"})
    by_number = client.post("/app/cases/search/", {"number": case.number.lower()})

    assert found.context["results"] == [case]
    assert with_date.context["results"] == [case]
    assert wrong_date.context["results"] == []
    assert date_only.context["results"] is None
    assert "生年月日だけでは検索できません" in date_only.content.decode()
    assert by_number.context["results"] == [case]


def test_search_never_finds_a_case_the_user_may_not_see(client, worker, city):
    colleague = factories.user(Role.CITY_CASEWORKER, organisation=city)
    factories.case_for(colleague, kana="みえない ひと")
    client.force_login(worker)

    response = client.post("/app/cases/search/", {"kana": "みえない ひと"})

    assert response.context["results"] == []


def _list_queries(client, count):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as captured:
        response = client.get("/app/cases/")
    assert response.status_code == HTTPStatus.OK
    assert len(response.context["rows"]) == count
    return len(captured)


def test_the_case_list_runs_the_same_number_of_queries_for_2_or_25_rows(client, worker):
    client.force_login(worker)
    for _ in range(2):
        factories.case_for(worker)
    few = _list_queries(client, 2)
    for _ in range(30):
        factories.case_for(worker)
    many = _list_queries(client, 25)

    assert few == many


def test_the_case_list_decrypts_only_the_names_it_shows(client, worker):
    client.force_login(worker)
    factories.case_for(worker)

    response = client.get("/app/cases/")

    (case,) = response.context["rows"]
    held = case.person.__dict__
    assert isinstance(held["name"], str) and isinstance(held["kana"], str)
    assert held["name"] in response.content.decode()
    for hidden in ("address", "phone", "wishes", "health_notes"):
        # Not even read from the database (selectors.LISTED_COLUMNS).
        assert hidden not in held, hidden


def test_a_person_edit_saves_area_and_categories_audits_them_and_updates_this_years_consultation(
    client, worker
):
    case = factories.case_for(worker, consulted_on=timezone.localdate())
    person = Person.objects.get(pk=case.person_id)
    elderly, other_category = PersonCategory.objects.order_by("sort_order")[:2]
    person.categories.set([elderly])
    new_area = Area.objects.exclude(pk=person.area_id).first()
    client.force_login(worker)
    data = {
        "person-name": "試験 花子",
        "person-kana": "しけん はなこ",
        "person-birth_date": "1940-05-06",
        "person-sex": "female",
        "person-address": "架空県架空市1-2-3",
        "person-phone": "000-0000-0000",
        "person-area": new_area.pk,
        "person-categories": [other_category.pk],
        "person-living_situation": "home",
        "person-household_type": "alone",
        "person-wishes": "",
        "person-current_services": "",
    }

    response = client.post(f"/app/cases/{case.pk}/person/", data)

    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.area_id == new_area.pk
    assert list(person.categories.all()) == [other_category]
    event = AuditEvent.objects.filter(action=Action.PERSON_UPDATED).get()
    assert "area" in event.fields_read and "categories" in event.fields_read
    assert Consultation.objects.get(case=case).area_id == new_area.pk


def test_the_search_runs_the_same_number_of_queries_for_1_or_20_matches(client, worker):
    from django.test.utils import CaptureQueriesContext

    client.force_login(worker)
    factories.case_for(worker, kana="おなじ なまえ")
    with CaptureQueriesContext(connection) as one:
        assert (
            len(client.post("/app/cases/search/", {"kana": "おなじなまえ"}).context["results"]) == 1
        )
    for _ in range(19):
        factories.case_for(worker, kana="おなじ なまえ")
    with CaptureQueriesContext(connection) as twenty:
        assert (
            len(client.post("/app/cases/search/", {"kana": "おなじなまえ"}).context["results"])
            == 20
        )

    assert len(one) == len(twenty)


def test_each_case_page_view_writes_one_audit_event_naming_fields_not_values(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)
    before = AuditEvent.objects.filter(action=Action.CASE_VIEWED).count()

    client.get(f"/app/cases/{case.pk}/")

    events = AuditEvent.objects.filter(action=Action.CASE_VIEWED)
    assert events.count() == before + 1
    event = events.latest("sequence")
    assert "Person.name" in event.fields_read
    assert "Person.income" in event.fields_read  # the worker holds the finance permission
    assert "Consultation.notes" in event.fields_read
    assert "試験" not in str(event.fields_read) + event.label + event.reason


def test_the_supervisor_reassigns_and_closes_but_a_caseworker_cannot(client, worker, city):
    from django.core.exceptions import PermissionDenied

    from advocacy.cases import services

    supervisor = factories.user(Role.CITY_CASEWORKER, Role.SUPERVISOR, organisation=city)
    other = factories.user(Role.CITY_CASEWORKER, organisation=city)
    case = factories.case_for(worker)

    with pytest.raises(PermissionDenied):
        services.case_close(actor=worker, case=case, reason="moved_away", on=case.opened_on)
    services.case_reassign(actor=supervisor, case=case, worker=other, reason="担当替え")
    services.case_close(actor=supervisor, case=case, reason="moved_away", on=case.opened_on)

    case.refresh_from_db()
    assert case.assigned_worker == other
    assert case.stage == Case.Stage.CLOSED


def test_a_search_is_audited_with_field_names_and_never_the_search_terms(client, worker):
    factories.case_for(worker, kana="やまかわ ゆき")
    client.force_login(worker)

    client.post("/app/cases/search/", {"kana": "やまかわ ゆき"})

    event = AuditEvent.objects.get(action=Action.CASE_SEARCHED)
    assert event.label == "search (1)"
    assert event.fields_read == ["Person.name", "Person.kana"]
    assert "やまかわ" not in f"{event.label} {event.reason} {event.fields_read}"


def test_a_petition_not_filed_yet_shows_as_undecided_first_on_the_case_page(client, worker):
    case = factories.case_for(worker, consulted_on=datetime.date(2026, 4, 1))
    record_save(actor=worker, case=case, record=Petition(petitioner_type="mayor", filed_on=None))
    client.force_login(worker)

    response = client.get(f"/app/cases/{case.pk}/")

    assert response.status_code == HTTPStatus.OK
    timeline = response.context["timeline"]
    assert [entry.kind for entry in timeline][:1] == ["petition"]
    assert timeline[0].date is None
    assert "未定" in response.content.decode()


def test_search_terms_in_a_url_are_never_searched_nor_echoed(client, worker):
    factories.case_for(worker, kana="やまかわ ゆき")
    client.force_login(worker)

    response = client.get("/app/cases/search/", {"kana": "やまかわ ゆき", "name": "山川"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["results"] is None
    page = response.content.decode()
    assert "やまかわ" not in page and "山川" not in page
    assert not AuditEvent.objects.filter(action=Action.CASE_SEARCHED).exists()
    assert 'method="post"' in page


def test_the_results_page_is_not_kept_by_the_browser(client, worker):
    factories.case_for(worker, kana="やまかわ ゆき")
    client.force_login(worker)

    response = client.post("/app/cases/search/", {"kana": "やまかわ ゆき"})

    assert len(response.context["results"]) == 1
    assert response["Cache-Control"] == "no-store"


def test_kana_search_by_family_name_alone_finds_the_person_and_no_other(client, worker):
    case = factories.case_for(worker, kana="やまかわ ゆき", birth_date=datetime.date(1939, 9, 9))
    factories.case_for(worker, kana="やまかわら ゆき")
    factories.case_for(worker, kana="かわやま ゆき")
    client.force_login(worker)

    found = client.post("/app/cases/search/", {"kana": "ﾔﾏｶﾜ"})
    with_date = client.post("/app/cases/search/", {"kana": "やまかわ", "birth_date": "1939-09-09"})
    wrong_date = client.post("/app/cases/search/", {"kana": "やまかわ", "birth_date": "1939-09-10"})

    assert found.context["results"] == [case]
    assert with_date.context["results"] == [case]
    assert wrong_date.context["results"] == []
