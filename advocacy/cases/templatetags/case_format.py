import datetime

from django import template

from advocacy.crypto.erased import ERASED
from advocacy.dates import western_and_wareki

register = template.Library()


@register.filter
def jdate(value):
    """Show a date as 2025年4月1日（令和7年4月1日）; other values unchanged."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return western_and_wareki(value)
    if value is ERASED:
        return str(ERASED)
    return value if value not in (None, "") else "—"


@register.filter
def verbose_name(instance):
    """Return the model's verbose name (templates cannot reach _meta)."""
    return instance._meta.verbose_name
