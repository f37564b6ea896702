from django import template

from advocacy.ledger.disclosure import text

register = template.Library()


@register.filter
def record_text(value):
    """Show a value of a person's record as the Word file does (和暦, はい/いいえ)."""
    return text(value)
