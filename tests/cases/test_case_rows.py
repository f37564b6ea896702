"""The case list's and the search's rows, written by tags, are the markup their loops wrote."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import engines

from advocacy.crypto.erased import ERASED

# The two loops as the templates held them before the tags (cases/list.html, search.html).
LIST_LOOP = (
    "{% load i18n case_format %}    {% for case in rows %}\n"
    "      <tr>\n"
    '        <td><a href="{{ case.detail_url }}">{{ case.number }}</a>\n'
    "          {% if case.urgency == 'urgent' %}<span class=\"adv-badge adv-badge--urgent\">"
    "{% trans '緊急' %}</span>{% endif %}</td>\n"
    "        <td>{{ case.person.name }}</td>\n"
    "        <td>{{ case.person.kana }}</td>\n"
    "        <td>{{ case.get_stage_display }}</td>\n"
    "        <td>{{ case.person.area }}</td>\n"
    "        <td>{{ case.person.age_band }}</td>\n"
    '        <td>{{ case.assigned_worker|default:"—" }}</td>\n'
    "        <td>{{ case.opened_on|jdate }}</td>\n"
    "      </tr>\n"
    "    {% empty %}\n"
    "      <tr><td colspan=\"8\">{% trans '該当するケースはありません。' %}</td></tr>\n"
    "    {% endfor %}\n"
)
SEARCH_LOOP = (
    "{% load i18n case_format %}    {% for case in results %}\n"
    '      <tr><td><a href="{{ case.detail_url }}">{{ case.number }}</a></td>'
    "<td>{{ case.person.name }}</td>\n"
    "        <td>{{ case.person.kana }}</td><td>{{ case.get_stage_display }}</td>"
    "<td>{{ case.opened_on|jdate }}</td></tr>\n"
    "    {% empty %}\n"
    "      <tr><td colspan=\"5\">{% trans '見つかりませんでした。' %}</td></tr>\n"
    "    {% endfor %}\n"
)


def _case(number, name, kana, stage, area, band, worker, urgency, day):
    person = SimpleNamespace(name=name, kana=kana, area=area, age_band=band)
    return SimpleNamespace(
        number=number,
        detail_url=f"/app/cases/{number}/?a=1&b=2",
        urgency=urgency,
        person=person,
        get_stage_display=lambda: stage,
        assigned_worker=worker,
        opened_on=day,
    )


ROWS = [
    _case(
        "R8-0001",
        "高島 花子",
        "たかしま はなこ",
        "相談受付",
        "北部",
        "75〜84歳",
        "職員 一",
        "urgent",
        datetime.date(2026, 4, 1),
    ),
    _case(
        "R8-<2>",
        "a & <b>",
        '"q"',
        "調整中",
        None,
        "<65 & up",
        None,
        "normal",
        datetime.date(2025, 12, 31),
    ),
    _case("R8-0003", ERASED, ERASED, "終結", "南部", None, "", "normal", datetime.date(2019, 5, 1)),
]


@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "none"])
def test_case_list_rows_are_the_markup_the_loop_wrote(rows):
    django = engines["django"]
    loop = django.from_string(LIST_LOOP).render({"rows": rows})
    tag = django.from_string("{% load case_format %}    {% case_list_rows rows %}\n").render(
        {"rows": rows}
    )
    assert tag == loop


@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "none"])
def test_search_rows_are_the_markup_the_loop_wrote(rows):
    django = engines["django"]
    loop = django.from_string(SEARCH_LOOP).render({"results": rows})
    tag = django.from_string("{% load case_format %}    {% search_result_rows results %}\n").render(
        {"results": rows}
    )
    assert tag == loop
