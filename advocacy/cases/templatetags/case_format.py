import datetime

from django import template
from django.template.base import render_value_in_context as _shown
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from advocacy.crypto.erased import ERASED
from advocacy.dates import fiscal_year_label, western_and_wareki

register = template.Library()


@register.filter
def jdate(value):
    """Show a date as 2025年4月1日（令和7年4月1日）; other values unchanged."""
    if isinstance(value, datetime.datetime):
        value = _local(value).date()
    if isinstance(value, datetime.date):
        return western_and_wareki(value)
    if value is ERASED:
        return str(ERASED)
    return value if value not in (None, "") else "—"


@register.filter
def jdatetime(value):
    """Show a moment as 2025年4月1日（令和7年4月1日）14:30, in local time."""
    if not isinstance(value, datetime.datetime):
        return jdate(value)
    value = _local(value)
    return f"{western_and_wareki(value.date())} {value:%H:%M}"


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter
def jfy(value):
    """Show a fiscal year as 2026年度（令和8年度）."""
    return fiscal_year_label(int(value))


@register.filter
def verbose_name(instance):
    """Return the model's verbose name (templates cannot reach _meta)."""
    return instance._meta.verbose_name


# A case list's and a search's rows in one tag each: the same markup their template loops
# wrote (tests/cases/test_case_rows.py compares them), each value shown by
# render_value_in_context as ``{{ value }}`` shows it. The loops' variable lookups cost a
# supervisor's list page more than its queries.


@register.simple_tag(takes_context=True)
def case_list_rows(context: template.Context, rows: list) -> SafeString:
    """Return the ``<tr>`` rows of the case list (cases/list.html) for rows."""
    if not rows:
        empty = _("該当するケースはありません。")
        return mark_safe(f'\n      <tr><td colspan="8">{_shown(empty, context)}</td></tr>\n    ')  # noqa: S308
    urgent = f'<span class="adv-badge adv-badge--urgent">{_shown(_("緊急"), context)}</span>'
    out = []
    for case in rows:
        person = case.person
        badge = urgent if case.urgency == "urgent" else ""
        out.append(
            f'\n      <tr>\n        <td><a href="{_shown(case.detail_url, context)}">'
            f"{_shown(case.number, context)}</a>\n          {badge}</td>\n"
            f"        <td>{_shown(person.name, context)}</td>\n"
            f"        <td>{_shown(person.kana, context)}</td>\n"
            f"        <td>{_shown(case.get_stage_display(), context)}</td>\n"
            f"        <td>{_shown(person.area, context)}</td>\n"
            f"        <td>{_shown(person.age_band, context)}</td>\n"
            f"        <td>{_shown(case.assigned_worker or '—', context)}</td>\n"
            f"        <td>{_shown(jdate(case.opened_on), context)}</td>\n      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 — every value escaped by _shown


@register.simple_tag(takes_context=True)
def search_result_rows(context: template.Context, rows: list) -> SafeString:
    """Return the ``<tr>`` rows of search results (cases/search.html) for rows."""
    if not rows:
        empty = _("見つかりませんでした。")
        return mark_safe(f'\n      <tr><td colspan="5">{_shown(empty, context)}</td></tr>\n    ')  # noqa: S308
    out = []
    for case in rows:
        out.append(
            f'\n      <tr><td><a href="{_shown(case.detail_url, context)}">'
            f"{_shown(case.number, context)}</a></td><td>{_shown(case.person.name, context)}</td>\n"
            f"        <td>{_shown(case.person.kana, context)}</td>"
            f"<td>{_shown(case.get_stage_display(), context)}</td>"
            f"<td>{_shown(jdate(case.opened_on), context)}</td></tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 — every value escaped by _shown
