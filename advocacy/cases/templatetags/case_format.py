import datetime

from django import template
from django.utils import timezone

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
