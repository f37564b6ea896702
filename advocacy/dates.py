"""Fiscal years and Japanese era dates (令和7年4月1日)."""

from __future__ import annotations

import datetime

# (first day, era name); newest first.
ERAS = (
    (datetime.date(2019, 5, 1), "令和"),
    (datetime.date(1989, 1, 8), "平成"),
    (datetime.date(1926, 12, 25), "昭和"),
    (datetime.date(1912, 7, 30), "大正"),
    (datetime.date(1868, 10, 23), "明治"),
)


def fiscal_year_of(day: datetime.date) -> int:
    """Return the fiscal year (April to March) that day falls in, by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def era_year(day: datetime.date) -> tuple[str, int]:
    """Return the era and the year within it, e.g. ("令和", 7)."""
    for start, name in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError("date before the Meiji era")


ERA_LETTERS = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}


def fiscal_era_year(fiscal_year: int) -> tuple[str, int]:
    """Return the era a fiscal year is named in and its year there: 2019 → ("令和", 1).

    A fiscal year is named by the era of its first May: 2019 became 令和元年度 (the era
    began 1 May 2019), 1989 平成元年度 (8 January), 1988 stays 昭和63年度.
    """
    return era_year(datetime.date(fiscal_year, 5, 1))


def fiscal_prefix(fiscal_year: int) -> str:
    """Return the case-number prefix of a fiscal year: 2025 → "R7", 2018 → "H30"."""
    name, year = fiscal_era_year(fiscal_year)
    return f"{ERA_LETTERS[name]}{year}"


def wareki(day: datetime.date) -> str:
    """Format a date in the Japanese era: 令和7年4月1日 (元年 for the first year)."""
    name, year = era_year(day)
    year_text = "元" if year == 1 else str(year)
    return f"{name}{year_text}年{day.month}月{day.day}日"


def western_and_wareki(day: datetime.date) -> str:
    """Format a date both ways: 2025年4月1日（令和7年4月1日）."""
    return f"{day.year}年{day.month}月{day.day}日（{wareki(day)}）"


def fiscal_year_label(fiscal_year: int) -> str:
    """Name a fiscal year both ways: 2026 → "2026年度（令和8年度）" (元年 for the first)."""
    name, year = fiscal_era_year(fiscal_year)
    year_text = "元" if year == 1 else str(year)
    return f"{fiscal_year}年度（{name}{year_text}年度）"
