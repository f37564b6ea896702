"""The living situation, household and petitioner a ledger holds, in the city's words."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from advocacy.cases.models import Case, Consultation, Decision, Person, Petition
from advocacy.cases.models.records import PetitionerType
from advocacy.ledger import services
from advocacy.ledger.mapping import mapping_from_json, suggest_columns
from advocacy.ledger.models import LedgerCase
from tests.ledger import books
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db

# A city's ledger with one header row and its own headers for the three (and the approval
# day a mayor's petition needs).
HEADER = [
    "番号",
    "氏名",
    "フリガナ",
    "生年月日",
    "性別",
    "地区",
    "受付日",
    "ケース会議",
    "申立",
    "審判",
    "類型",
    "生活場所",
    "世帯構成",
    "申立人区分",
    "市長申立の決裁日",
]
COLUMNS = {
    "case_number": "番号",
    "name": "氏名",
    "kana": "フリガナ",
    "birth_date": "生年月日",
    "sex": "性別",
    "area": "地区",
    "consulted_on": "受付日",
    "conference_on": "ケース会議",
    "petition_on": "申立",
    "ruling_on": "審判",
    "type": "類型",
    "living_situation": "生活場所",
    "household_type": "世帯構成",
    "petitioner": "申立人区分",
    "approved_on": "市長申立の決裁日",
}
# The city's words: 特養 and 入院中 are the city's; 独居 and 市長 are common words the
# system knows; 高齢者のみ世帯 and 四親等内の親族 are the system's own labels.
WORDS = {
    "living_situations": {"特養": "facility", "入院中": "hospital"},
    "households": {"夫婦のみ": "elderly_couple"},
    "petitioners": {"子": "relative"},
}


def _mapping(columns=None, **words):
    return mapping_from_json(
        json.dumps(
            {
                **books.MAPPING,
                "header_rows": 1,
                "columns": columns or COLUMNS,
                **WORDS,
                **words,
            },
            ensure_ascii=False,
        )
    )


def _row(number, kana, **values):
    row = dict.fromkeys(HEADER)
    row.update(
        {
            "番号": number,
            "氏名": "架空 " + number,
            "フリガナ": kana,
            "生年月日": "昭和20年",
            "性別": "女",
            "地区": "たかしま北",
            "受付日": "R5.4.1",
        }
    )
    row.update(values)
    return [row[h] for h in HEADER]


def _book(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "R5"
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _run(supervisor, data, mapping):
    return services.ledger_import_run(actor=supervisor, data=data, mapping=mapping)


def _case(number) -> Case:
    return LedgerCase.objects.select_related("case__person").get(number=number).case


def test_the_citys_words_come_in_as_the_choices(supervisor):
    data = _book(
        [
            _row(
                "B-1",
                "かくう いち",
                生活場所="特養",
                世帯構成="独居",
                ケース会議="R5.5.1",
                申立="R5.6.1",
                類型="後見",
                申立人区分="市長",
                市長申立の決裁日="R5.5.20",
            ),
            _row(
                "B-2",
                "かくう に",
                生活場所="入院中",
                世帯構成="高齢者のみ世帯",
                申立="R5.6.1",
                審判="R5.9.1",
                類型="保佐",
                申立人区分="四親等内の親族",
            ),
            _row("B-3", "かくう さん", 生活場所="在宅", 世帯構成="夫婦のみ", 申立人区分="子"),
        ]
    )
    ledger_import, check = _run(supervisor, data, _mapping())
    assert check.issues == []
    assert ledger_import.cases_created == 3

    first = _case("B-1")
    assert (first.person.living_situation, first.person.household_type) == (
        Person.Living.FACILITY,
        Person.Household.ALONE,
    )
    petition = Petition.objects.get(case=first)
    assert petition.petitioner_type == PetitionerType.MAYOR
    assert petition.approved_on == datetime.date(2023, 5, 20)
    # The conference that chose guardianship assumed the petitioner who then petitioned.
    assert Decision.objects.get(case=first).petitioner_type == PetitionerType.MAYOR

    second = _case("B-2")
    assert (second.person.living_situation, second.person.household_type) == (
        Person.Living.HOSPITAL,
        Person.Household.ELDERLY_COUPLE,
    )
    assert Petition.objects.get(case=second).petitioner_type == PetitionerType.RELATIVE
    assert Petition.objects.get(case=second).approved_on is None
    # The consultation keeps the household of its day, as the intake's does.
    assert Consultation.objects.get(case=second).household_type == Person.Household.ELDERLY_COUPLE

    third = _case("B-3")
    assert (third.person.living_situation, third.person.household_type) == (
        Person.Living.HOME,
        Person.Household.ELDERLY_COUPLE,
    )
    # No conference and no petition: nothing holds a petitioner.
    assert not Petition.objects.filter(case=third).exists()


@pytest.mark.parametrize(
    ("values", "field", "word"),
    [
        ({"生活場所": "月面基地"}, "生活の場", "月面基地"),
        ({"世帯構成": "大家族"}, "世帯", "大家族"),
        ({"申立": "R5.6.1", "類型": "後見", "申立人区分": "隣人"}, "申立人", "隣人"),
    ],
)
def test_an_unknown_word_is_reported_by_the_dry_run_and_nothing_comes_in(
    supervisor, values, field, word
):
    data = _book([_row("B-1", "かくう いち"), _row("B-2", "かくう に", **values)])
    mapping = _mapping()
    check = services.ledger_check(actor=supervisor, data=data, mapping=mapping)
    assert [(issue.sheet, issue.row) for issue in check.issues] == [("R5", 3)]
    reasons = " ".join(check.issues[0].reasons)
    assert field in reasons
    assert word in reasons
    assert "対応表にありません" in reasons
    with pytest.raises(services.LedgerInvalid):
        _run(supervisor, data, mapping)
    assert not Case.objects.exists()
    assert not Person.objects.exists()


def test_a_mayors_petition_without_its_approval_day_is_reported(supervisor):
    data = _book(
        [
            _row("B-1", "かくう いち", 申立="R5.6.1", 類型="後見", 申立人区分="市長"),
            _row(
                "B-2",
                "かくう に",
                申立="R5.6.1",
                類型="後見",
                申立人区分="市長",
                市長申立の決裁日="R5.6.10",
            ),
        ]
    )
    check = services.ledger_check(actor=supervisor, data=data, mapping=_mapping())
    by_row = {issue.row: " ".join(issue.reasons) for issue in check.issues}
    assert set(by_row) == {2, 3}
    assert "決裁日" in by_row[2]
    assert "決裁日" in by_row[3]
    assert not Case.objects.exists()


def test_without_the_columns_or_in_an_empty_cell_the_three_are_other(supervisor):
    bare = {k: v for k, v in COLUMNS.items() if k not in ("living_situation", "household_type")}
    bare = {k: v for k, v in bare.items() if k not in ("petitioner", "approved_on")}
    data = _book(
        [
            _row("B-1", "かくう いち", 申立="R5.6.1", 類型="後見"),
            _row(
                "B-2",
                "かくう に",
                ケース会議="R5.5.1",
                申立="R5.6.1",
                類型="後見",
                生活場所="在宅",
                世帯構成="独居",
                申立人区分="市長",
                市長申立の決裁日="R5.5.20",
            ),
        ]
    )
    # The columns are in the workbook, but the mapping does not name them.
    _run(supervisor, data, _mapping(columns=bare))
    # A mapped column whose cell is empty.
    _run(supervisor, _book([_row("B-3", "かくう さん", 申立="R5.6.1", 類型="後見")]), _mapping())
    for number in ("B-1", "B-2", "B-3"):
        case = _case(number)
        assert (case.person.living_situation, case.person.household_type) == ("other", "other")
        assert Petition.objects.get(case=case).petitioner_type == PetitionerType.OTHER
    assert Decision.objects.get(case=_case("B-2")).petitioner_type == ""


def test_the_mapping_screen_suggests_the_three_by_their_headers():
    headers = [["番号"], ["氏名"], ["住所"], ["居所"], ["世帯"], ["申立日"], ["申立人"], ["決裁日"]]
    suggested = suggest_columns(headers)
    assert suggested["address"] == "C"
    assert suggested["living_situation"] == "D"
    assert suggested["household_type"] == "E"
    assert suggested["petition_on"] == "F"
    assert suggested["petitioner"] == "G"
    assert suggested["approved_on"] == "H"
    assert suggest_columns([["住まい"], ["世帯構成"], ["申立人区分"]]) == {
        "living_situation": "A",
        "household_type": "B",
        "petitioner": "C",
    }


def test_the_template_and_the_sample_mapping_have_the_columns(supervisor):
    client = force_login_verified(Client(), supervisor)
    response = client.get("/app/ledger/template.xlsx")
    assert response.status_code == 200
    header = [cell.value for cell in load_workbook(io.BytesIO(response.content)).active[1]]
    for text in ("生活の場", "世帯", "申立人", "市長申立の決裁日"):
        assert text in header
    sample = json.loads(client.get("/app/ledger/mapping-sample.json").content)
    for name in ("living_situation", "household_type", "petitioner", "approved_on"):
        assert sample["columns"][name]
    assert sample["living_situations"]
    assert sample["households"]
    assert sample["petitioners"]
    # The sample is a mapping the import takes, and it reads the template's header.
    mapping = mapping_from_json(sample)
    assert mapping.words["petitioners"]
