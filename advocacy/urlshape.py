"""A list's row URLs from one reverse() a page: each row's ids put into a reversed shape.

A list page of 25 rows spent a tenth of its time in ``reverse()`` once a row (the case list,
the inbox). The URL is reversed once with stand-ins for its ids, and each row's ids replace
them. A pattern whose shape does not hold each stand-in exactly once is reversed per row.
"""

from __future__ import annotations

from collections.abc import Callable

# Digits, so that an int converter takes them as a str one does; no real id looks like them.
STAND_INS = ("9999999991", "9999999993", "9999999995")


def url_former(reverse_with: Callable[..., str], count: int = 1) -> Callable[..., str]:
    """Return ``form(*ids)`` giving ``reverse_with(*ids)``, reversing only once."""
    stand_ins = STAND_INS[:count]
    shape = reverse_with(*stand_ins)
    if any(shape.count(stand_in) != 1 for stand_in in stand_ins):
        return reverse_with

    def form(*ids: object) -> str:
        url = shape
        for stand_in, value in zip(stand_ins, ids, strict=True):
            url = url.replace(stand_in, str(value))
        return url

    return form
