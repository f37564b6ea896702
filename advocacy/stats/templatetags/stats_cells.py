"""A report table's body rows in one tag: the same output as the template's loop over them."""

from __future__ import annotations

from typing import Protocol

from django import template
from django.template.base import render_value_in_context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class _Shown(Protocol):
    """A live table (services.Table) or a released one (services.ShownTable)."""

    follows: object

    def display(self) -> list[tuple[str, list[str], int | None]]: ...


@register.simple_tag(takes_context=True)
def table_rows(context: template.Context, table: _Shown) -> SafeString:
    """Return the table's ``<tr>`` rows as the loop over ``table.display`` wrote them.

    That loop (row label, cells, the bar beside a charted table) over a report's few hundred
    rows and thousand cells cost the preview more template time than its queries took. Each
    value is still localised and escaped by render_value_in_context, as ``{{ value }}`` is,
    and the whitespace is the loop's, so the HTML (and a stored release's) is unchanged.
    """
    charted = not table.follows  # the template's {% if not table.follows %}
    out = []
    for label, values, width in table.display():
        row = [f"\n      <tr><th>{render_value_in_context(label, context)}</th>"]
        row += [f"<td>{render_value_in_context(value, context)}</td>" for value in values]
        if charted:
            bar = ""
            if width is not None:
                shown = render_value_in_context(width, context)
                bar = f'<span class="stats-bar stats-w{shown}"></span>'
            row.append(f'<td class="stats-bar-cell">{bar}</td>')
        row.append("</tr>\n    ")
        out.append("".join(row))
    return mark_safe("".join(out))  # noqa: S308
