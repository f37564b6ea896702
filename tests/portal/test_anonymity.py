"""The summary check: the person's own values refuse, personal-looking patterns warn."""

from __future__ import annotations

import pytest

from advocacy.portal.anonymity import summary_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users_by_role):
    from tests import factories

    return factories.case_for(users_by_role["city_caseworker"])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("試験花子さん", "氏名"),
        ("本人は 花子 と呼ばれることを好む", "氏名"),
        ("シケン ハナコ", "ふりがな"),
        ("1940年5月6日生まれ", "生年月日"),
        ("昭和15年5月6日生", "生年月日"),
        ("１９４０－０５－０６", "生年月日"),
        ("架空市1-2-3 に住む", "住所"),
        ("電話 ０００（００００）００００", "電話番号"),
    ],
)
def test_persons_own_values_are_found_in_any_spelling(case, text, kind):
    result = summary_check(case=case, texts=[text])

    assert result.refused
    assert kind in [str(k) for k in result.findings]


def test_case_number_is_found(case):
    assert "ケース番号" in [str(k) for k in summary_check(case=case, texts=[case.number]).findings]


def test_patterns_warn_without_refusing(case):
    result = summary_check(
        case=case, texts=["連絡先 077-123-4567、滋賀県大津市浜大津1丁目、2001年2月3日に入所"]
    )

    assert not result.refused
    assert [str(k) for k in result.warnings] == ["電話番号", "住所", "日付（年月日）"]


def test_plain_summary_passes(case):
    result = summary_check(
        case=case, texts=["80代女性、認知症。預貯金の管理と施設入所契約が課題。", "月2回訪問"]
    )

    assert not result.refused
    assert not result.warnings
