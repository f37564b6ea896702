"""Importing an agency's Excel ledger: check every row first, then import in batches.

``ledger_check`` reads the whole workbook and reports every row that cannot come in, with
its sheet, row number and reason, and every person already known here (by the blind
index), offered as "the same person". Nothing is imported while a reported row is neither
skipped nor taken as the same person. ``ledger_import_batch`` then imports the next rows in
one transaction and moves the import's checkpoint: an interrupted import continues where
its last committed batch ended, and a rerun finds every ledger number already imported.
The command and the screen both call these.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, has_role
from advocacy.audit.actions import Action
from advocacy.audit.services import audit_record
from advocacy.cases import services as cases
from advocacy.cases.models import (
    Case,
    Consultation,
    Decision,
    GuardianAppointment,
    Person,
    Petition,
)
from advocacy.cases.models.records import PetitionerType
from advocacy.crypto import services as crypto_services
from advocacy.crypto.blind_index import blind_search
from advocacy.crypto.erased import ERASED
from advocacy.crypto.keycache import key_cache
from advocacy.crypto.normalise import normalise_text
from advocacy.crypto.prefetch import prefetch_data_keys
from advocacy.reference.models import Area, GuardianshipType, PersonCategory
from workflows.base import CaseFlow
from workflows.ledger_review.flows import LedgerReviewFlow
from workflows.processes import processes_start_new

from . import parsing
from .mapping import (
    FIELDS,
    LedgerMapping,
    MappingError,
    default_words,
    resolve_columns,
    suggest_columns,
)
from .models import LedgerCase, LedgerImport
from .models import LedgerMapping as StoredMapping
from .workbook import MAX_EMPTY_ROWS, read_sheets

ERR_ONLY_SUPERVISOR = _("台帳の取込みはスーパーバイザーが行います。")
ERR_UNRESOLVED = _(
    "取り込めない行が %(count)s 行あります。直すか、取り込まない行に指定してください。"
)
ERR_FUTURE = _("未来の日付です")
ERR_DUPLICATE_NUMBER = _("同じケース番号の行がこのブックにもう一つあります")
ERR_CLOSED_WITHOUT_DATE = _("状況が終結ですが終結日がありません")
ERR_ORDER = _("日付の順序が合いません（相談日より前の日付があります）")
ERR_APPROVED_AFTER_FILING = _("市長申立の決裁日が申立日より後です")
STOPPED = _(
    "シート「%(sheet)s」は、空の行が %(n)s 行続いたので %(row)s 行目で読むのをやめました。"
    "その先にも行があれば、空の行を消してから読み込み直してください。"
)
SAME_PERSON = _("この組織に同じふりがな・生年月日の本人がすでに登録されています")
# Required words of records the ledger does not hold (decision 64).
IMPORTED_TEXT = "（台帳から移行）"
UNNAMED_GUARDIAN = "（台帳に氏名の記載なし）"

BATCH_SIZE = 200


@dataclass
class Issue:
    """A reported row: the sheet, the row number Excel shows, the reasons (no values)."""

    sheet: str
    row: int
    reasons: list[str]
    same_person: bool = False

    @property
    def key(self) -> str:
        return row_key(self.sheet, self.row)


def row_key(sheet: str, row: int) -> str:
    return f"{sheet}!{row}"


@dataclass
class LedgerRow:
    sheet: str
    row: int
    values: dict[str, Any]

    @property
    def key(self) -> str:
        return row_key(self.sheet, self.row)


@dataclass
class Check:
    """What a dry run found: the rows to import, the reported ones, and the timings."""

    digest: str
    rows: list[LedgerRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    already_imported: int = 0
    # What the supervisor should know that blocks nothing (where reading stopped).
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def unresolved(self, choices: dict[str, list[str]]) -> list[Issue]:
        skip = set(choices.get("skip", ()))
        same = set(choices.get("same", ()))
        return [
            issue
            for issue in self.issues
            if issue.key not in skip and not (issue.same_person and issue.key in same)
        ]


class LedgerInvalid(ValidationError):
    """The import was refused; ``check`` holds the report (or ``message`` says why)."""

    def __init__(self, message: Any, check: Check | None = None) -> None:
        super().__init__(message)
        self.check = check


def _organisation(actor: User) -> Organisation:
    if actor.organisation is None:  # _require_supervisor refused them already
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)
    return actor.organisation


def _require_supervisor(actor: User) -> None:
    if not has_role(actor, Role.SUPERVISOR) or actor.organisation is None:
        raise PermissionDenied(ERR_ONLY_SUPERVISOR)


def workbook_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Words:
    """The mapping's word lists over the system's own, and the reference rows they name."""

    def __init__(self, mapping: LedgerMapping) -> None:
        defaults = default_words()
        self.lists = {name: mapping.word_map(name, words) for name, words in defaults.items()}
        self.areas = {a.code: a for a in Area.objects.all()}
        self.categories = {c.code: c for c in PersonCategory.objects.all()}


def _parse_row(values: tuple[object, ...], columns: dict[str, int], words: _Words):
    """Return the row's values by field and its reasons (empty when it can come in)."""
    parsed: dict[str, Any] = {}
    reasons: list[str] = []
    readers: dict[str, Callable[[object], object]] = {
        "case_number": parsing.parse_ledger_number,
        "name": parsing.parse_name,
        "kana": parsing.parse_kana,
        "birth_date": parsing.parse_date,
        "address": parsing.clean_text,
        "notes": parsing.clean_text,
        "consulted_on": parsing.parse_date,
        "conference_on": parsing.parse_date,
        "petition_on": parsing.parse_date,
        "ruling_on": parsing.parse_date,
        "closed_on": parsing.parse_date,
        "approved_on": parsing.parse_date,
    }
    word_fields = {
        "sex": ("sexes", _("性別")),
        "area": ("areas", _("地域")),
        "referrer": ("referrers", _("相談者")),
        "type": ("types", _("類型")),
        "profession": ("professions", _("職種")),
        "status": ("statuses", _("状況")),
        "living_situation": ("living_situations", _("生活の場")),
        "household_type": ("households", _("世帯")),
        "petitioner": ("petitioners", _("申立人")),
    }
    for name, index in columns.items():
        raw = values[index] if index < len(values) else None
        try:
            if name in readers:
                parsed[name] = readers[name](raw)
            elif name == "category":
                parsed[name] = parsing.parse_words(raw, words.lists["categories"], _("区分"))
            else:
                list_name, what = word_fields[name]
                parsed[name] = parsing.parse_word(raw, words.lists[list_name], what)
        except parsing.ParseError as error:
            reasons.append(f"{FIELDS[name][0]}: {error.reason}")
    for name in ("case_number", "name", "kana", "birth_date", "sex", "area", "consulted_on"):
        if name in parsed and parsed[name] in (None, ""):
            reasons.append(f"{FIELDS[name][0]}: {parsing.ERR_EMPTY}")
    if reasons:
        return parsed, reasons
    today = timezone.localdate()
    days = ["consulted_on", "conference_on", "petition_on", "ruling_on", "closed_on", "approved_on"]
    for name in days + ["birth_date"]:
        day = parsed.get(name)
        if isinstance(day, datetime.date) and day > today:
            reasons.append(f"{FIELDS[name][0]}: {ERR_FUTURE}")
    consulted = parsed["consulted_on"]
    later = [parsed.get(n) for n in days[1:]]
    if isinstance(consulted, datetime.date) and any(
        isinstance(d, datetime.date) and d < consulted for d in later
    ):
        reasons.append(str(ERR_ORDER))
    approved, filed = parsed.get("approved_on"), parsed.get("petition_on")
    if (
        isinstance(approved, datetime.date)
        and isinstance(filed, datetime.date)
        and approved > filed
    ):
        reasons.append(str(ERR_APPROVED_AFTER_FILING))
    if parsed.get("status") == Case.Stage.CLOSED and not parsed.get("closed_on"):
        reasons.append(str(ERR_CLOSED_WITHOUT_DATE))
    if parsed.get("area") not in words.areas:
        reasons.append(f"{FIELDS['area'][0]}: {parsing.ERR_EMPTY}")
    return parsed, reasons


def _record_reasons(values: dict[str, Any], types: _Types) -> list[str]:
    """The reasons the row's records would be refused by their own rules (``clean``).

    The import builds the same records from the same values, so a row the dry run passes
    cannot fail half-way through a batch.
    """
    reasons: list[str] = []
    for record in _history(values, types)[2]:
        if not isinstance(record, models.Model):
            continue  # a stage change
        try:
            record.clean()
        except ValidationError as error:
            what = record._meta.verbose_name
            reasons.extend(f"{what}: {message}" for message in error.messages)
    return reasons


def person_key(values: dict[str, Any]) -> tuple[str, Any]:
    """The workbook's own same-person key: rows with the same kana and birth date."""
    return normalise_text(str(values["kana"])), values["birth_date"]


def ledger_check(*, actor: User, data: bytes, mapping: LedgerMapping) -> Check:
    """Read every row of the workbook and report what cannot come in (a dry run).

    Raises ``workbook.WorkbookError`` or ``mapping.MappingError`` for a file or a mapping
    that cannot be read at all. Writes nothing.
    """
    _require_supervisor(actor)
    started = time.perf_counter()
    check = Check(digest=workbook_digest(data))
    words = _Words(mapping)
    types = _Types()
    seen: dict[str, LedgerRow] = {}
    for sheet in read_sheets(data, header_rows=mapping.header_rows, sheets=mapping.sheets):
        columns = resolve_columns(mapping, sheet.headers, sheet.title)
        if sheet.stopped_at:
            check.notes.append(
                str(STOPPED % {"sheet": sheet.title, "row": sheet.stopped_at, "n": MAX_EMPTY_ROWS})
            )
        for number, values in sheet.rows:
            parsed, reasons = _parse_row(values, columns, words)
            ledger_number = parsed.get("case_number")
            if isinstance(ledger_number, str) and ledger_number in seen:
                reasons.append(str(ERR_DUPLICATE_NUMBER))
            if not reasons:
                reasons = _record_reasons(parsed, types)
            if reasons:
                check.issues.append(Issue(sheet=sheet.title, row=number, reasons=reasons))
                continue
            row = LedgerRow(sheet=sheet.title, row=number, values=parsed)
            seen[str(ledger_number)] = row
            check.rows.append(row)
    check.seconds["parse"] += time.perf_counter() - started
    started = time.perf_counter()
    imported = set(
        LedgerCase.objects.filter(
            organisation_id=_organisation(actor).pk, number__in=list(seen)
        ).values_list("number", flat=True)
    )
    check.already_imported = len(imported)
    groups: dict[tuple[str, Any], set[str]] = defaultdict(set)
    for row in check.rows:
        groups[person_key(row.values)].add(str(row.values["case_number"]))
    with key_cache():
        pending = [
            row
            for row in check.rows
            if row.values["case_number"] not in imported
            # A person who came in with an earlier row of this workbook is its own.
            and not groups[person_key(row.values)] & imported
        ]
        known = _known_persons(actor, pending)
        for row in pending:
            if person_key(row.values) in known:
                check.issues.append(
                    Issue(
                        sheet=row.sheet, row=row.row, reasons=[str(SAME_PERSON)], same_person=True
                    )
                )
    check.seconds["check"] += time.perf_counter() - started
    return check


def _known_person(actor: User, values: dict[str, Any]) -> Person | None:
    """Return this organisation's person of that kana and birth date not from this workbook.

    Blind indexes narrow the search in SQL; each candidate is decrypted and compared.
    """
    queryset = Person.objects.filter(
        organisation_id=_organisation(actor).pk, erased_at__isnull=True
    )
    matches = blind_search(queryset, {"kana": values["kana"], "birth_date": values["birth_date"]})
    return matches[0] if matches else None


def _known_persons(actor: User, rows: list[LedgerRow]) -> dict[tuple[str, Any], Person]:
    """Return this organisation's persons sharing the kana and birth date of any of rows.

    One query a thousand rows over the duplicate blind index, then every candidate
    decrypted and compared (as ``blind_search`` does for one).
    """
    index = Person._meta.get_field("duplicate_index")
    computed = (index.compute([row.values["kana"], row.values["birth_date"]]) for row in rows)
    ordered = sorted({value for value in computed if value is not None})
    found: dict[tuple[str, Any], Person] = {}
    for start in range(0, len(ordered), 1000):
        candidates = list(
            Person.objects.filter(
                organisation_id=_organisation(actor).pk,
                erased_at__isnull=True,
                duplicate_index__in=ordered[start : start + 1000],
            )
        )
        prefetch_data_keys(candidates, decrypt=("kana", "birth_date"))
        for person in candidates:
            if person.kana is ERASED or person.birth_date is ERASED:
                continue
            found.setdefault((normalise_text(person.kana), person.birth_date), person)
    return found


def _group_persons(
    organisation_id, groups: dict[tuple[str, Any], list[str]]
) -> dict[tuple[str, Any], Person]:
    """Return, by the workbook's person key, the person an earlier batch imported a row of
    that person for (rows of one person are one person), with one query."""
    numbers = sorted({number for group in groups.values() for number in group})
    entries = LedgerCase.objects.filter(
        organisation_id=organisation_id, number__in=numbers
    ).select_related("case__person")
    by_number = {entry.number: entry.case.person for entry in entries}
    found: dict[tuple[str, Any], Person] = {}
    for key, group in groups.items():
        for number in group:
            if number in by_number:
                found[key] = by_number[number]
                break
    return found


@transaction.atomic(durable=True)
def ledger_import_begin(
    *,
    actor: User,
    data: bytes,
    mapping: LedgerMapping,
    choices: dict[str, list[str]],
    keep_workbook: bool = False,
) -> tuple[LedgerImport, Check]:
    """Check the workbook and start (or resume) its import; refuse while rows are unresolved.

    keep_workbook: store the workbook encrypted under the import's own key, for the
    screen's batches; the command passes the bytes to every batch instead.
    """
    _require_supervisor(actor)
    check = ledger_check(actor=actor, data=data, mapping=mapping)
    unresolved = check.unresolved(choices)
    if unresolved:
        raise LedgerInvalid(ERR_UNRESOLVED % {"count": len(unresolved)}, check)
    ledger_import = (
        LedgerImport.objects.select_for_update()
        .filter(
            organisation_id=_organisation(actor).pk,
            digest=check.digest,
            status__in=[LedgerImport.Status.CHECKED, LedgerImport.Status.RUNNING],
        )
        .first()
    )
    if ledger_import is None:
        ledger_import = LedgerImport(
            organisation=_organisation(actor), actor=actor, digest=check.digest
        )
    ledger_import.status = LedgerImport.Status.RUNNING
    ledger_import.rows_total = len(check.rows)
    ledger_import.choices = choices
    ledger_import.mapping = mapping.to_json()
    if keep_workbook:
        ledger_import.workbook = base64.b64encode(data).decode()
    ledger_import.save()
    return ledger_import, check


@transaction.atomic(durable=True)
def ledger_import_batch(
    *, actor: User, ledger_import: LedgerImport, check: Check, size: int = BATCH_SIZE
) -> LedgerImport:
    """Import the next rows after the checkpoint, in one transaction; move the checkpoint."""
    _require_supervisor(actor)
    ledger_import = LedgerImport.objects.select_for_update().get(
        pk=ledger_import.pk, organisation_id=_organisation(actor).pk
    )
    if ledger_import.status != LedgerImport.Status.RUNNING:
        return ledger_import
    skip = set(ledger_import.choices.get("skip", ()))
    same = set(ledger_import.choices.get("same", ()))
    groups: dict[tuple[str, Any], list[str]] = defaultdict(list)
    for row in check.rows:
        groups[person_key(row.values)].append(str(row.values["case_number"]))
    start = ledger_import.rows_done
    batch = check.rows[start : start + size]
    organisation_id = _organisation(actor).pk
    with key_cache():
        timer = time.perf_counter()
        numbers = [str(row.values["case_number"]) for row in batch]
        imported = set(
            LedgerCase.objects.filter(
                organisation_id=organisation_id, number__in=numbers
            ).values_list("number", flat=True)
        )
        persons = _group_persons(
            organisation_id,
            {person_key(row.values): groups[person_key(row.values)] for row in batch},
        )
        check.seconds["check"] += time.perf_counter() - timer
        context = _Context(actor=actor, ledger_import=ledger_import, check=check)
        planned: list[_Planned] = []
        for row in batch:
            number = str(row.values["case_number"])
            if row.key in skip or number in imported:
                continue
            key = person_key(row.values)
            person = persons.get(key)
            if person is None and row.key in same:
                timer = time.perf_counter()
                person = _known_person(actor, row.values)
                check.seconds["check"] += time.perf_counter() - timer
            plan = _import_row(context=context, row=row, person=person)
            # The rows after it of the same person are further cases of this one.
            persons[key] = plan.opening.person
            planned.append(plan)
        timer = time.perf_counter()
        _import_planned(context, planned)
        check.seconds["save"] += time.perf_counter() - timer
    created = len(planned)
    ledger_import.rows_done = start + len(batch)
    ledger_import.cases_created += created
    finished = ledger_import.rows_done >= ledger_import.rows_total
    if finished:
        ledger_import.status = LedgerImport.Status.DONE
        ledger_import.finished_at = timezone.now()
        ledger_import.workbook = ""
    ledger_import.save()
    if finished:
        # The stored workbook's key goes with it: no backup taken from now on can read it.
        crypto_services.person_erase(owner_id=ledger_import.pk)
        audit_record(
            actor=actor,
            action=Action.LEDGER_IMPORTED,
            obj=ledger_import,
            label=f"ledger {ledger_import.cases_created}/{ledger_import.rows_total}",
        )
    return ledger_import


class _Types:
    """The guardianship types of every scheme, read once a batch: the type of a code on a
    day is the one of the scheme in force then, else of the latest scheme."""

    def __init__(self) -> None:
        self.all = list(GuardianshipType.objects.select_related("scheme"))

    def on(self, code: object, day: datetime.date | None) -> GuardianshipType | None:
        if not code or day is None:
            return None
        of_code = [t for t in self.all if t.code == code]
        for kind in of_code:
            if kind.active and kind.scheme.is_valid_on(day):
                return kind
        latest = sorted(of_code, key=lambda t: t.scheme.valid_from, reverse=True)
        return latest[0] if latest else None


@dataclass
class _Context:
    actor: User
    ledger_import: LedgerImport
    check: Check
    types: _Types = field(default_factory=_Types)
    areas: dict[str, Any] = field(
        default_factory=lambda: dict(Area.objects.values_list("code", "pk"))
    )
    categories: dict[str, Any] = field(
        default_factory=lambda: dict(PersonCategory.objects.values_list("code", "pk"))
    )


@dataclass
class _Planned:
    """A row's case, built in memory: what ``_import_planned`` writes for the batch."""

    row: LedgerRow
    opening: cases.Opening
    needs_review: bool
    flow_class: type[CaseFlow] | None


def _import_row(*, context: _Context, row: LedgerRow, person: Person | None) -> _Planned:
    """Build a row's person (unless known), case, consultation and history in memory."""
    values = row.values
    consultation = Consultation(
        consulted_on=values["consulted_on"],
        channel=Consultation.Channel.OTHER,
        referrer_type=values.get("referrer") or Consultation.ReferrerType.OTHER,
        notes=values.get("notes") or "",
    )
    categories: list[Any] = []
    if person is None:
        person = Person(
            name=values["name"],
            kana=values["kana"],
            birth_date=values["birth_date"],
            address=values.get("address") or "",
            sex=values["sex"],
            area_id=context.areas[values["area"]],
            # Where the ledger does not say, the intake form's "other" until someone knows.
            living_situation=values.get("living_situation") or Person.Living.OTHER,
            household_type=values.get("household_type") or Person.Household.OTHER,
        )
        categories = [
            context.categories[code]
            for code in values.get("category") or ()
            if code in context.categories
        ]
    stage, thin, history, closing = _history(values, context.types)
    opening = cases.Opening(
        person=person,
        consultation=consultation,
        categories=categories,
        history=history,
        closing=closing,
        label=f"← {row.sheet[:20]}!{row.row}",
    )
    if thin:
        flow_class: type[CaseFlow] | None = LedgerReviewFlow
    elif stage != Case.Stage.CLOSED:
        flow_class = CaseFlow.of_stage(stage)
    else:
        flow_class = None
    return _Planned(row=row, opening=opening, needs_review=thin, flow_class=flow_class)


def _import_planned(context: _Context, planned: list[_Planned]) -> None:
    """Write a batch's cases in one go, their ledger numbers, then start their processes."""
    actor = context.actor
    cases.cases_open_many(
        actor=actor,
        openings=[plan.opening for plan in planned],
        action=Action.LEDGER_CASE_IMPORTED,
    )
    LedgerCase.objects.bulk_create(
        [
            LedgerCase(
                organisation_id=_organisation(actor).pk,
                number=plan.row.values["case_number"],
                case=plan.opening.case,
                ledger_import=context.ledger_import,
                needs_review=plan.needs_review,
            )
            for plan in planned
        ]
    )
    processes_start_new(
        actor=actor,
        starts=[
            (plan.opening.case, plan.flow_class)
            for plan in planned
            if plan.flow_class is not None and plan.opening.case is not None
        ],
    )


def ledger_stage(values: dict[str, Any]) -> tuple[str, bool]:
    """Return the stage a row's case is in and whether the ledger says too little for its
    process (decision 64): its status word, else what its dates show."""
    status = values.get("status")
    if values.get("closed_on") or status == Case.Stage.CLOSED:
        return Case.Stage.CLOSED, False
    if status:
        stage = str(status)
    elif values.get("ruling_on"):
        stage = Case.Stage.TEAM_SUPPORT
    elif values.get("conference_on") or values.get("petition_on"):
        stage = Case.Stage.COORDINATION
    else:
        stage = Case.Stage.CONSULTATION
    # Coordination has many steps (assessment, conference, petitioner, matching, petition,
    # ruling); a ledger's dates do not say which one is open. Nor does a later stage
    # without the ruling that leads to it.
    thin = stage == Case.Stage.COORDINATION or (
        stage in (Case.Stage.TEAM_SUPPORT, Case.Stage.GUARDIAN_SUPPORT)
        and not values.get("ruling_on")
    )
    return stage, thin


def _history(
    values: dict[str, Any], types: _Types
) -> tuple[str, bool, list[Any], tuple[str, datetime.date] | None]:
    """Return the row's final stage, whether it is thin, its history as records and stage
    changes in order (``cases.Opening``), and its closing."""
    stage, thin = ledger_stage(values)
    type_code = values.get("type")
    petitioner = values.get("petitioner") or ""
    conference_on = values.get("conference_on")
    petition_on = values.get("petition_on")
    ruling_on = values.get("ruling_on")
    history: list[Any] = []
    if isinstance(conference_on, datetime.date):
        history.append((Case.Stage.COORDINATION, conference_on))
        if type_code:
            # A type chosen means guardianship was decided, with the petitioner the ledger
            # names as the one assumed; anything else is not in the ledger.
            history.append(
                Decision(
                    held_on=conference_on,
                    participants=IMPORTED_TEXT,
                    outcome=Decision.Outcome.GUARDIANSHIP,
                    guardianship_type=types.on(type_code, conference_on),
                    petitioner_type=petitioner,
                    reasons=IMPORTED_TEXT,
                )
            )
        else:
            # The ledger holds the meeting's day but not what it decided.
            thin = True
    petition = None
    if isinstance(petition_on, datetime.date) or isinstance(ruling_on, datetime.date):
        if not isinstance(conference_on, datetime.date):
            history.append((Case.Stage.COORDINATION, petition_on or ruling_on))
        petition = Petition(
            petitioner_type=petitioner or PetitionerType.OTHER,
            approved_on=values.get("approved_on"),
            filed_on=petition_on,
            type_sought=types.on(type_code, petition_on or ruling_on),
            ruling_on=ruling_on,
            type_granted=types.on(type_code, ruling_on) if ruling_on else None,
        )
        history.append(petition)
    if isinstance(ruling_on, datetime.date):
        profession = values.get("profession")
        if profession:
            history.append(
                GuardianAppointment(
                    petition=petition,
                    kind=GuardianAppointment.Kind.CORPORATION
                    if profession == GuardianAppointment.Profession.CORPORATE
                    else GuardianAppointment.Kind.PERSON,
                    profession=profession,
                    name=UNNAMED_GUARDIAN,
                    appointed_on=ruling_on,
                )
            )
        history.append((Case.Stage.TEAM_SUPPORT, ruling_on))
    closing = None
    if stage == Case.Stage.GUARDIAN_SUPPORT:
        history.append((stage, ruling_on or values["consulted_on"]))
    elif stage == Case.Stage.CLOSED:
        closing = (Case.ClosingReason.OTHER, values["closed_on"])
    elif stage == Case.Stage.COORDINATION:
        history.append((stage, values["consulted_on"]))
    return stage, thin, history, closing


@transaction.atomic(durable=True)
def ledger_import_cancel(*, actor: User, ledger_import: LedgerImport) -> LedgerImport:
    """Stop an import before its end; the stored workbook's key is destroyed."""
    _require_supervisor(actor)
    ledger_import = LedgerImport.objects.select_for_update().get(
        pk=ledger_import.pk, organisation_id=_organisation(actor).pk
    )
    ledger_import.status = LedgerImport.Status.CANCELLED
    ledger_import.workbook = ""
    ledger_import.finished_at = timezone.now()
    ledger_import.save()
    crypto_services.person_erase(owner_id=ledger_import.pk)
    audit_record(
        actor=actor,
        action=Action.LEDGER_IMPORTED,
        obj=ledger_import,
        label=f"ledger cancelled {ledger_import.cases_created}/{ledger_import.rows_total}",
    )
    return ledger_import


@transaction.atomic(durable=True)
def ledger_mapping_save(*, actor: User, mapping: LedgerMapping) -> StoredMapping:
    """Store the organisation's column mapping (the screen uses it when none is uploaded)."""
    _require_supervisor(actor)
    stored, _created = StoredMapping.objects.update_or_create(
        organisation=_organisation(actor), defaults={"data": mapping.to_json()}
    )
    audit_record(actor=actor, action=Action.LEDGER_MAPPING_SAVED, obj=stored, label="mapping")
    return stored


def ledger_suggest(
    *, actor: User, data: bytes, header_rows: int
) -> tuple[list[list[str]], dict[str, str]]:
    """Return the first sheet's header texts and a column suggested for each field."""
    _require_supervisor(actor)
    for sheet in read_sheets(data, header_rows=header_rows, sheets=None):
        return sheet.headers, suggest_columns(sheet.headers)
    return [], {}


@transaction.atomic(durable=True)
def ledger_upload(
    *, actor: User, data: bytes, mapping: LedgerMapping
) -> tuple[LedgerImport, Check]:
    """Check an uploaded workbook and keep it, encrypted, for its preview (the screen)."""
    check = ledger_check(actor=actor, data=data, mapping=mapping)
    ledger_import = LedgerImport.objects.create(
        organisation=_organisation(actor),
        actor=actor,
        digest=check.digest,
        rows_total=len(check.rows),
        mapping=mapping.to_json(),
        workbook=base64.b64encode(data).decode(),
    )
    return ledger_import, check


def ledger_import_run(
    *,
    actor: User,
    data: bytes,
    mapping: LedgerMapping,
    choices: dict[str, list[str]] | None = None,
    size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[LedgerImport, Check]:
    """Import a whole workbook batch by batch (the command); resumes from the checkpoint."""
    ledger_import, check = ledger_import_begin(
        actor=actor, data=data, mapping=mapping, choices=choices or {}
    )
    while ledger_import.status == LedgerImport.Status.RUNNING:
        ledger_import = ledger_import_batch(
            actor=actor, ledger_import=ledger_import, check=check, size=size
        )
        if progress:
            progress(ledger_import.rows_done, ledger_import.rows_total)
    return ledger_import, check


def stored_workbook(ledger_import: LedgerImport) -> bytes:
    """Return the screen's workbook, decrypted in memory only."""
    return base64.b64decode(ledger_import.workbook)


__all__ = ["MappingError"]
