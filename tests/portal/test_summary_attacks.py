"""Attacks on the anonymised summary: the person's own values, obfuscated, must not pass.

Issue 15 (item 1) found five ways around the check: invisible characters between the
letters of the name, a soft hyphen in the family name, the name in a field the check did
not read, the phone in kanji digits, the birth date in a shorthand (S15.5.6). Each is
an attack test here, and a hypothesis property test builds obfuscated forms of every value
the check knows and puts them in any field: every one must be refused by request_send, and
nothing saved.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.cases.models import TeamMember
from advocacy.portal import services
from advocacy.portal.models import CoordinationRequest
from advocacy.reference.models import GuardianshipType, PersonCategory
from tests import factories

pytestmark = pytest.mark.django_db

no_deadline = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# The invented person of the case below: every value here is the person's own.
NAME = "試験 花子"
KANA = "しけん はなこ"
BIRTH = datetime.date(1940, 5, 6)  # 昭和15年5月6日
PHONE = "000-1234-5678"
ADDRESS = "架空県架空市浜架空町1丁目2番3号"
RELATIVE = "試験 太郎"
CALLER = "架空 一郎"
TEAM_MEMBER = "模擬 次郎"

BENIGN = "80代、認知症。預貯金の管理と施設入所契約が課題。"


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def case(worker):
    case = factories.case_for(
        worker,
        name=NAME,
        kana=KANA,
        birth_date=BIRTH,
        phone=PHONE,
        address=ADDRESS,
        caller=CALLER,
        relatives=[{"name": RELATIVE, "relation": "長男", "contact": "000-9999-8888"}],
        categories=["elderly"],
    )
    factories.case_record(
        worker,
        case,
        TeamMember(role="care_manager", name=TEAM_MEMBER, joined_on=datetime.date(2026, 4, 10)),
    )
    return case


@pytest.fixture
def pro(users_by_role):
    return users_by_role["professional"].professional


def summary(case, **overrides) -> dict:
    data = {
        "age_band": "80-84",
        "area": case.person.area,
        "categories": list(PersonCategory.objects.filter(code="elderly")),
        "type_sought": GuardianshipType.objects.get(code="guardianship", active=True),
        "main_issues": BENIGN,
        "workload": "月2回程度の訪問",
    }
    data.update(overrides)
    return data


def send(worker, case, pro, **overrides):
    return services.request_send(
        actor=worker,
        case=case,
        professional=pro,
        need="legal",
        summary=summary(case, **overrides),
        portal_url="/app/portal/",
    )


def assert_refused(worker, case, pro, **overrides):
    with pytest.raises(ValidationError) as refused:
        send(worker, case, pro, **overrides)
    assert not CoordinationRequest.objects.filter(case=case).exists()
    # The refusal names kinds, never the value it refuses.
    message = " ".join(refused.value.messages)
    for value in overrides.values():
        if isinstance(value, str) and len(value) > 1:
            assert value not in message
    return message


def test_a_plain_summary_is_sent(worker, case, pro):
    request = send(worker, case, pro)

    assert request.pk and request.main_issues == BENIGN


# The five probes of the issue.


def test_name_with_invisible_characters_between_the_letters_is_refused(worker, case, pro):
    assert "氏名" in assert_refused(
        worker, case, pro, main_issues="本人は試\u200b験\u2060さんと呼ばれる"
    )


def test_family_name_broken_by_a_soft_hyphen_is_refused(worker, case, pro):
    assert "氏名" in assert_refused(worker, case, pro, workload="試\u00ad験家の支援")


def test_name_typed_into_a_field_the_check_did_not_read_is_refused(worker, case, pro):
    # Refused by the check (the name is found), not only by the field's list of choices.
    assert "氏名" in assert_refused(worker, case, pro, age_band="試験花子")


def test_phone_in_kanji_digits_is_refused(worker, case, pro):
    assert "電話番号" in assert_refused(
        worker, case, pro, main_issues="連絡は〇〇〇の一二三四の五六七八へ"
    )


def test_birth_date_in_a_shorthand_is_refused(worker, case, pro):
    assert "生年月日" in assert_refused(worker, case, pro, main_issues="S15.5.6生まれ")


# Every text column of the request, whatever its kind, is read by the check.


def _text_fields():
    return [
        field.name
        for field in CoordinationRequest._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
    ]


@pytest.mark.parametrize("field", _text_fields())
def test_the_name_in_any_text_column_of_the_request_is_refused(worker, case, pro, field):
    assert_refused(worker, case, pro, **{field: NAME})


def test_a_key_the_request_has_no_field_for_is_refused(worker, case, pro):
    assert_refused(worker, case, pro, note=NAME)


# The property: obfuscated forms of the person's own values are all refused.

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero width no-break space
    "\u00ad",  # soft hyphen
    "\u034f",  # combining grapheme joiner
    "\u180e",  # Mongolian vowel separator
    "\u2062",  # invisible times
    "\u200e",  # left-to-right mark
    "\ufe0f",  # variation selector 16
    "\U000e0101",  # variation selector 18
    "\x07",  # a control character
]
KANJI_DIGITS = "〇一二三四五六七八九"


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def kanji_digits(text: str) -> str:
    return "".join(KANJI_DIGITS[int(ch)] if ch.isascii() and ch.isdigit() else ch for ch in text)


def katakana(text: str) -> str:
    return "".join(chr(ord(ch) + 0x60) if "ぁ" <= ch <= "ゖ" else ch for ch in text)


HALF_WIDTH = dict(zip("シケンハナコタロウ", "ｼｹﾝﾊﾅｺﾀﾛｳ", strict=True))


def half_width_kana(text: str) -> str:
    return "".join(HALF_WIDTH.get(ch, ch) for ch in katakana(text))


def kanji_number(n: int) -> str:
    """Write n (1..99) in kanji with 十, as 和暦 years and days are written: 十五, 二十三."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else KANJI_DIGITS[tens]) + "十" if tens else "") + (
        KANJI_DIGITS[ones] if ones else ""
    )


def birth_date_forms(day: datetime.date) -> list[str]:
    y, m, d = day.year, day.month, day.day
    era = y - 1925  # 昭和
    forms = [
        f"{y}-{m:02}-{d:02}",
        f"{y}/{m}/{d}",
        f"{y}/{m:02}/{d:02}",
        f"{y}.{m}.{d}",
        f"{y}年{m}月{d}日",
        f"{y}年{m:02}月{d:02}日",
        f"{y}{m:02}{d:02}",
        f"{y}（昭和{era}）年{m}月{d}日",
        f"昭和{era}年{m}月{d}日",
        f"昭和 {era} 年 {m} 月 {d} 日",
        f"昭和{kanji_number(era)}年{kanji_number(m)}月{kanji_number(d)}日",
        f"S{era}.{m}.{d}",
        f"S{era}/{m}/{d}",
        f"s{era:02}.{m:02}.{d:02}",
        f"S{era}-{m}-{d}",
        f"昭{era}.{m}.{d}",
        f"昭{era}/{m}/{d}",
        f"昭{era}年{m}月{d}日",
    ]
    return forms


PHONE_DIGITS = "".join(ch for ch in PHONE if ch.isdigit())


@st.composite
def phone_forms(draw) -> str:
    groups = [PHONE_DIGITS[:3], PHONE_DIGITS[3:7], PHONE_DIGITS[7:]]
    if draw(st.booleans()):
        groups = [PHONE_DIGITS[3:7], PHONE_DIGITS[7:]]  # without the area code
    separator = draw(st.sampled_from(["-", "‐", "－", "ー", "−", " ", "", "の", "."]))
    text = separator.join(groups)
    if len(groups) == 3 and draw(st.booleans()):
        text = f"{groups[0]}({groups[1]}){groups[2]}"
    return text


def name_parts(value: str) -> list[str]:
    return [value, value.replace(" ", ""), value.replace(" ", "　"), *value.split()]


@st.composite
def own_values(draw) -> tuple[str, str]:
    """One of the person's own values, written one of the ways people write it."""
    kind = draw(
        st.sampled_from(
            [
                "name",
                "kana",
                "birth",
                "phone",
                "address",
                "case",
                "relative",
                "caller",
                "team",
            ]
        )
    )
    if kind == "name":
        return kind, draw(st.sampled_from(name_parts(NAME)))
    if kind == "kana":
        part = draw(st.sampled_from(name_parts(KANA)))
        return kind, draw(st.sampled_from([part, katakana(part), half_width_kana(part)]))
    if kind == "birth":
        return kind, draw(st.sampled_from(birth_date_forms(BIRTH)))
    if kind == "phone":
        return kind, draw(phone_forms())
    if kind == "address":
        return kind, draw(
            st.sampled_from(
                [
                    "浜架空町1丁目2番3号",
                    "浜架空町1-2-3",
                    "浜架空町一丁目二番三号",
                    "浜架空町1丁目2-3",
                    "架空市浜架空町1の2の3",
                    "浜架空町",
                    "1丁目2番3号",
                ]
            )
        )
    if kind == "case":
        return kind, "{case}"  # filled in with the case's own number, written some way
    if kind == "relative":
        return kind, draw(st.sampled_from(name_parts(RELATIVE)))
    if kind == "caller":
        return kind, draw(st.sampled_from(name_parts(CALLER)))
    return kind, draw(st.sampled_from(name_parts(TEAM_MEMBER)))


def case_number_forms(number: str) -> list[str]:
    era, serial = number.split("-")  # R8-0001
    year = int(era[1:])
    western = 2018 + year
    return [
        number,
        number.lower(),
        f"{era}‐{serial}",
        f"令和{year}年度-{serial}",
        f"令{year}-{int(serial)}",
        f"R{year:02}-{serial}",
        f"{era}第{int(serial)}号",
        f"{western}年度-{serial}",
    ]


@st.composite
def obfuscated(draw, text: str) -> str:
    """Text disguised the ways the issue names: widths, digits, kana, invisible characters."""
    if draw(st.booleans()):
        text = full_width(text)
    if draw(st.booleans()):
        text = kanji_digits(text)
    chars = list(text)
    inserts = draw(st.lists(st.integers(min_value=1, max_value=max(len(chars) - 1, 1)), max_size=4))
    for position in sorted(inserts, reverse=True):
        chars.insert(position, draw(st.sampled_from(INVISIBLE)))
    return "".join(chars)


@no_deadline
@given(data=st.data())
def test_every_obfuscated_form_of_the_persons_own_values_is_refused(worker, case, pro, data):
    kind, value = data.draw(own_values())
    if kind == "case":
        value = data.draw(st.sampled_from(case_number_forms(case.number)))
    disguised = data.draw(obfuscated(value))
    field = data.draw(st.sampled_from(["main_issues", "workload", "age_band"]))
    before, after = data.draw(
        st.sampled_from([("", ""), ("本人は", "と関係がある。"), (BENIGN, "")])
    )

    with pytest.raises(ValidationError):
        send(worker, case, pro, **{field: f"{before}{disguised}{after}"})
    assert not CoordinationRequest.objects.filter(case=case).exists()


def test_a_staff_message_before_acceptance_is_checked_like_the_summary(worker, case, pro):
    request = send(worker, case, pro)

    with pytest.raises(ValidationError) as refused:
        services.message_post(actor=worker, request=request, body="本人はシケン\u200bハナコです")

    assert "ふりがな" in " ".join(refused.value.messages)
    assert not request.messages.exists()
    request = services.request_accept(actor=pro.user, request=request)
    # Accepted, the candidate may see the case; the thread may name the person.
    services.message_post(actor=worker, request=request, body="本人は試験花子さんです")
    assert request.messages.count() == 1


def test_the_request_screen_refuses_words_in_its_choice_fields(worker, case, pro, client):
    from tests.portal.conftest import send_data

    client.force_login(worker)
    for field, value in (
        ("age_band", "試験花子"),
        ("categories", "試験花子"),
        ("type_sought", "試験"),
    ):
        response = client.post(
            f"/app/portal/staff/cases/{case.pk}/",
            send_data(pro, case.person.area_id, **{field: value}),
        )

        assert response.status_code == 422
        assert field in response.context["form"].errors
    assert not CoordinationRequest.objects.filter(case=case).exists()
