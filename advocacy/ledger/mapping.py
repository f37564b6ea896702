"""A city's column mapping: which column of its ledger holds what, and what its words mean.

Every ledger differs. A mapping names, for each field, a column by its letter ("C") or by
its header text ("氏名"; with merged group headers, any part: "本人 氏名" or "氏名"), the
number of header rows, the sheets to read, and the city's words for areas, categories,
referrers, types, professions, statuses, sexes, living situations, households and
petitioners. Words not given fall back to the system's own names (the reference lists and
the choices' labels, and a few words every ledger uses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl.utils import column_index_from_string, get_column_letter

from advocacy.cases.models import Case, Consultation, GuardianAppointment, Person
from advocacy.cases.models.records import PetitionerType
from advocacy.reference.models import Area, GuardianshipType, PersonCategory

from .parsing import word_key

# The fields a ledger row may hold, in the order the template and the export write them,
# with the header text the template uses and other headers that suggest them. Fields added
# later go at the end, so that a ledger made from an earlier template keeps its letters.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "case_number": ("ケース番号", ("番号", "台帳番号", "受付番号", "No")),
    "name": ("氏名", ("本人氏名", "名前", "本人")),
    "kana": ("ふりがな", ("フリガナ", "カナ", "よみ")),
    "birth_date": ("生年月日", ("生年", "誕生日")),
    "sex": ("性別", ()),
    "address": ("住所", ("住所地",)),
    "area": ("地域", ("地区", "圏域", "エリア")),
    "category": ("区分", ("対象者", "障害種別", "対象区分")),
    "referrer": ("相談者", ("相談経路", "紹介元", "相談者種別")),
    "consulted_on": ("相談日", ("受付日", "初回相談日", "相談受付日")),
    "conference_on": ("会議日", ("支援調整会議", "ケース会議", "方針決定日")),
    "petition_on": ("申立日", ("申立",)),
    "ruling_on": ("審判日", ("審判", "選任日")),
    "type": ("類型", ("後見類型",)),
    "profession": ("後見人等の職種", ("職種", "受任者", "後見人等")),
    "status": ("状況", ("状態", "進捗", "段階")),
    "closed_on": ("終結日", ("終了日",)),
    "notes": ("備考", ("メモ", "特記事項", "相談内容")),
    # 居所 is where the person lives now (在宅, a facility, a hospital), not the address.
    "living_situation": ("生活の場", ("居所", "生活場所", "住まい", "居住状況")),
    "household_type": ("世帯", ("世帯構成", "世帯状況", "世帯類型", "家族構成")),
    "petitioner": ("申立人", ("申立人区分", "申立者", "申立人種別")),
    # A mayor's petition needs its internal approval's day (Petition.clean).
    "approved_on": ("市長申立の決裁日", ("決裁日", "決裁")),
}
REQUIRED = ("case_number", "name", "kana", "birth_date", "sex", "area", "consulted_on")
WORD_LISTS = (
    "areas",
    "categories",
    "referrers",
    "types",
    "professions",
    "statuses",
    "sexes",
    "living_situations",
    "households",
    "petitioners",
)
# The date fields, in the order the template writes them.
DATE_FIELDS = (
    "birth_date",
    "consulted_on",
    "conference_on",
    "petition_on",
    "ruling_on",
    "closed_on",
    "approved_on",
)
# What a status word may mean: a stage of the case.
STAGE_WORDS = {
    "相談": Case.Stage.CONSULTATION,
    "相談中": Case.Stage.CONSULTATION,
    "調整中": Case.Stage.COORDINATION,
    "申立準備": Case.Stage.COORDINATION,
    "申立中": Case.Stage.COORDINATION,
    "審判待ち": Case.Stage.COORDINATION,
    "チーム支援": Case.Stage.TEAM_SUPPORT,
    "後見人支援": Case.Stage.GUARDIAN_SUPPORT,
    "終結": Case.Stage.CLOSED,
}
# Words for the living situation, household and petitioner that ledgers commonly use.
LIVING_WORDS = {
    "自宅": Person.Living.HOME,
    "居宅": Person.Living.HOME,
    "施設入所": Person.Living.FACILITY,
    "入所": Person.Living.FACILITY,
    "入院": Person.Living.HOSPITAL,
}
HOUSEHOLD_WORDS = {
    "独居": Person.Household.ALONE,
    "一人暮らし": Person.Household.ALONE,
    "ひとり暮らし": Person.Household.ALONE,
    "高齢者世帯": Person.Household.ELDERLY_COUPLE,
    "同居": Person.Household.WITH_FAMILY,
}
PETITIONER_WORDS = {
    "本人申立": PetitionerType.SELF,
    "親族": PetitionerType.RELATIVE,
    "親族申立": PetitionerType.RELATIVE,
    "市長": PetitionerType.MAYOR,
    "市長申立": PetitionerType.MAYOR,
    "首長申立": PetitionerType.MAYOR,
}

ERR_NOT_JSON = _("対応表を JSON として読めません。")
ERR_SHAPE = _("対応表の「%(key)s」の形が正しくありません。")
ERR_FIELD = _("対応表に知らない項目「%(key)s」があります。")
ERR_REQUIRED = _("対応表に必須の項目「%(key)s」の列がありません。")
ERR_MISSING_COLUMN = _("対応表の「%(field)s」の列「%(column)s」がシート「%(sheet)s」にありません。")


class MappingError(ValueError):
    """A mapping that cannot be used; the message says what to fix."""


@dataclass
class LedgerMapping:
    """A city's mapping, checked for shape (the columns are found per sheet)."""

    columns: dict[str, str]
    header_rows: int = 1
    sheets: list[str] | None = None
    words: dict[str, dict[str, str]] = field(default_factory=dict)
    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "header_rows": self.header_rows,
            "sheets": self.sheets,
            "columns": self.columns,
            **{name: self.words.get(name, {}) for name in WORD_LISTS},
        }

    def word_map(self, name: str, defaults: MappingABC[str, str]) -> dict[str, str]:
        """Return the city's words for name over the system's own, in word_key form."""
        result = {word_key(word): code for word, code in defaults.items()}
        result.update({word_key(word): code for word, code in self.words.get(name, {}).items()})
        return result


def mapping_from_json(data: object) -> LedgerMapping:
    """Check a mapping read from JSON (a file for the command, a stored one for the screen)."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError:
            raise MappingError(ERR_NOT_JSON) from None
    if not isinstance(data, dict):
        raise MappingError(ERR_NOT_JSON)
    columns = data.get("columns")
    if not isinstance(columns, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise MappingError(ERR_SHAPE % {"key": "columns"})
    for key in columns:
        if key not in FIELDS:
            raise MappingError(ERR_FIELD % {"key": key})
    for key in REQUIRED:
        if not columns.get(key):
            raise MappingError(ERR_REQUIRED % {"key": FIELDS[key][0]})
    header_rows = data.get("header_rows", 1)
    if not isinstance(header_rows, int) or not 0 <= header_rows <= 10:
        raise MappingError(ERR_SHAPE % {"key": "header_rows"})
    sheets = data.get("sheets")
    if sheets is not None and (
        not isinstance(sheets, list) or not all(isinstance(s, str) for s in sheets)
    ):
        raise MappingError(ERR_SHAPE % {"key": "sheets"})
    words = {}
    for name in WORD_LISTS:
        value = data.get(name, {})
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise MappingError(ERR_SHAPE % {"key": name})
        words[name] = value
    return LedgerMapping(
        columns=dict(columns),
        header_rows=header_rows,
        sheets=sheets,
        words=words,
        title=str(data.get("title", "")),
    )


def template_mapping() -> LedgerMapping:
    """Return the mapping of the template workbook (and of the agency's own export)."""
    return LedgerMapping(
        columns={name: header for name, (header, _hints) in FIELDS.items()},
        header_rows=1,
        title="テンプレート",
    )


def _is_letter(column: str) -> bool:
    return column.isascii() and column.isalpha() and column.isupper() and len(column) <= 3


def resolve_columns(mapping: LedgerMapping, headers: list[list[str]], sheet: str) -> dict[str, int]:
    """Return each mapped field's 0-based column on a sheet with these header parts."""
    result = {}
    for name, column in mapping.columns.items():
        if not column:
            continue
        if _is_letter(column):
            result[name] = column_index_from_string(column) - 1
            continue
        wanted = word_key(column)
        for index, parts in enumerate(headers):
            if wanted == word_key("".join(parts)) or wanted in {word_key(p) for p in parts}:
                result[name] = index
                break
        else:
            raise MappingError(
                ERR_MISSING_COLUMN % {"field": FIELDS[name][0], "column": column, "sheet": sheet}
            )
    return result


def suggest_columns(headers: list[list[str]]) -> dict[str, str]:
    """Suggest a column letter for each field from the header text (the mapping screen)."""
    suggestions: dict[str, str] = {}
    keys = [[word_key(p) for p in parts] for parts in headers]
    for name, (header, hints) in FIELDS.items():
        candidates = [word_key(header)] + [word_key(h) for h in hints]
        for candidate in candidates:
            found = next(
                (i for i, parts in enumerate(keys) if parts and parts[-1] == candidate), None
            )
            if found is None:
                found = next((i for i, parts in enumerate(keys) if candidate in parts), None)
            if found is not None and get_column_letter(found + 1) not in suggestions.values():
                suggestions[name] = get_column_letter(found + 1)
                break
    return suggestions


def default_words() -> dict[str, dict[str, str]]:
    """The system's own words for each list (reference names and choice labels)."""
    return {
        "areas": dict(Area.objects.values_list("name", "code")),
        "categories": dict(PersonCategory.objects.values_list("name", "code")),
        "types": dict(GuardianshipType.objects.values_list("name", "code")),
        "referrers": {str(label): code for code, label in Consultation.ReferrerType.choices},
        "professions": {str(label): code for code, label in GuardianAppointment.Profession.choices},
        "statuses": {
            **{str(label): code for code, label in Case.Stage.choices},
            **STAGE_WORDS,
        },
        "sexes": {
            **{str(label): code for code, label in Person.Sex.choices},
            "女": Person.Sex.FEMALE,
            "男": Person.Sex.MALE,
            "F": Person.Sex.FEMALE,
            "M": Person.Sex.MALE,
        },
        "living_situations": {
            **{str(label): code for code, label in Person.Living.choices},
            **LIVING_WORDS,
        },
        "households": {
            **{str(label): code for code, label in Person.Household.choices},
            **HOUSEHOLD_WORDS,
        },
        "petitioners": {
            **{str(label): code for code, label in PetitionerType.choices},
            **PETITIONER_WORDS,
        },
    }
