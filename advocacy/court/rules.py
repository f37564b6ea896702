"""The subsidy programme's computation (成年後見制度利用支援事業): pure, from one year's rule.

The rule is the fiscal year's row of ``SubsidyRule`` for the application's date; nothing
here reads the database except to find it.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from advocacy.cases.models import Subsidy
from advocacy.dates import fiscal_year_of

from .models import SubsidyAssessment, SubsidyRule

ERR_NO_RULE = _(
    "%(year)d年度の利用支援事業の基準がありません。システム管理者に登録を依頼してください。"
)


@dataclasses.dataclass(frozen=True)
class Outcome:
    eligible: bool
    budget_line: str
    computed_yen: int


def rule_for(day: datetime.date) -> SubsidyRule:
    """Return the rule of the fiscal year day falls in, or refuse clearly."""
    year = fiscal_year_of(day)
    rule = SubsidyRule.objects.filter(fiscal_year=year).first()
    if rule is None:
        raise ValidationError(ERR_NO_RULE % {"year": year})
    return rule


def budget_line_of(rule: SubsidyRule, category_codes: Iterable[str]) -> str:
    """The line of the person's first category (in the reference list's order) the rule names."""
    for code in category_codes:
        if code in rule.budget_lines:
            return rule.budget_lines[code]
    return SubsidyAssessment.BudgetLine.OTHER


def compute(
    rule: SubsidyRule,
    *,
    kind: str,
    basis: str,
    assets_yen: int,
    residence: str,
    category_codes: Iterable[str],
    months: int = 0,
    fee_awarded_yen: int = 0,
    filing_fee_yen: int = 0,
    examination_yen: int = 0,
    certificate_yen: int = 0,
) -> Outcome:
    """Apply rule: who is eligible, which costs are covered, the monthly fee cap."""
    Basis = SubsidyAssessment.Basis
    by_basis = (basis == Basis.WELFARE and rule.welfare_eligible) or (
        basis == Basis.NON_TAXED and rule.non_taxed_eligible
    )
    # The ceiling is the highest amount still eligible.
    eligible = bool(by_basis and assets_yen <= rule.asset_ceiling_yen)
    if kind == Subsidy.Kind.PETITION_COST:
        amount = (
            (filing_fee_yen if rule.covers_filing_fee else 0)
            + (examination_yen if rule.covers_examination else 0)
            + (certificate_yen if rule.covers_certificate else 0)
        )
    else:
        cap = (
            rule.monthly_cap_facility_yen
            if residence == SubsidyAssessment.Residence.FACILITY
            else rule.monthly_cap_home_yen
        )
        amount = min(fee_awarded_yen, cap * months)
    return Outcome(
        eligible=eligible,
        budget_line=budget_line_of(rule, category_codes),
        computed_yen=amount if eligible else 0,
    )


def granted_yen(application: Subsidy, assessment: SubsidyAssessment | None) -> int:
    """What an approved application is worth: the override, else the computed amount, else
    the application's own amount (one not assessed). The report counts the same in SQL."""
    if assessment is None:
        return application.amount_yen
    return assessment.amount_yen
