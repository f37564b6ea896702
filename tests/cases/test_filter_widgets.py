"""The case list's filter selects: Django's markup, written once per set of options."""

import re

import pytest
from django import forms

from advocacy.cases.forms import CaseFilterForm, QuickSelect
from advocacy.reference.models import Area

pytestmark = pytest.mark.django_db


def _django_select(field: forms.Field, name: str, value) -> str:
    """The same field rendered by Django's own Select, through its templates."""
    widget = forms.Select(choices=field.choices)
    return widget.render(name, value, attrs={"id": f"id_{name}"})


def _tags(markup: str) -> str:
    return re.sub(r"\s+>", ">", re.sub(r">\s+<", "><", markup.strip()))


@pytest.mark.parametrize("data", [{}, {"stage": "coordination"}, {"area": "AREA"}])
def test_the_selects_write_what_djangos_select_writes(data):
    area = Area.objects.order_by("sort_order").first()
    data = {k: (str(area.pk) if v == "AREA" else v) for k, v in data.items()}
    form = CaseFilterForm(data or None)
    for name in ("stage", "area"):
        ours = str(form[name])
        theirs = _django_select(form.fields[name], name, form[name].value())
        assert _tags(ours) == _tags(theirs)


def test_a_new_area_shows_at_once_and_a_renamed_one_by_its_new_name():
    before = str(CaseFilterForm(None)["area"])
    area = Area.objects.create(code="test-new", name="架空新町", sort_order=999)
    assert "架空新町" in str(CaseFilterForm(None)["area"])
    Area.objects.filter(pk=area.pk).update(name="架空改名町")
    after = str(CaseFilterForm(None)["area"])
    assert "架空改名町" in after and "架空新町" not in after and after != before


def test_options_in_groups_are_written_each_time():
    widget = QuickSelect(choices=[("町", [("a", "一"), ("b", "二")]), ("c", "三")])
    markup = widget.render("x", "b", attrs={"id": "id_x"})
    assert '<optgroup label="町">' in markup and '<option value="b" selected>二</option>' in markup
