"""Reading an uploaded ledger workbook from memory, refusing what is not a plain .xlsx.

The workbook is read from bytes held in memory (never written to a file): openpyxl's
read-only mode streams the sheet XML and yields only the rows the file holds, and reading
stops after ``MAX_EMPTY_ROWS`` empty rows in a row, so a sheet formatted down to row
1,048,576 costs what its used rows cost. Formulas are read as formulas (not as the value
Excel cached) and marked, so that the parser can refuse them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from .parsing import Formula, clean_text

MAX_BYTES = 20 * 1024 * 1024
# What the workbook may expand to: a zip of a few MB must not become gigabytes of XML.
MAX_UNCOMPRESSED = 400 * 1024 * 1024
MAX_EMPTY_ROWS = 50
MAX_ROWS = 100_000
MAX_COLUMNS = 100

ZIP_MAGIC = b"PK\x03\x04"
# Compound files: an encrypted (password-protected) .xlsx, or the old .xls format.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ERR_TOO_BIG = _("ファイルが大きすぎます（20MB まで）。")
ERR_PROTECTED = _(
    "パスワードで保護されたブック、または古い形式（.xls）のファイルです。"
    "パスワードを外し、Excel ブック（.xlsx）として保存し直してください。"
)
ERR_NOT_WORKBOOK = _("Excel ブック（.xlsx）ではありません。")
ERR_MACRO = _(
    "マクロを含むブック（.xlsm）は取り込めません。マクロなしのブック（.xlsx）として保存し直してください。"
)
ERR_NO_SHEET = _("シート「%(sheet)s」がありません。")
ERR_TOO_MANY_ROWS = _("行が多すぎます（一度に %(limit)s 行まで）。")


class WorkbookError(ValueError):
    """A file that cannot be read as a ledger; the message says why and what to do."""


@dataclass
class Sheet:
    """One sheet's header parts per column and its data rows (row number, cell values)."""

    title: str
    headers: list[list[str]]
    rows: list[tuple[int, tuple[object, ...]]]
    # The row where reading stopped after MAX_EMPTY_ROWS empty rows (None: the sheet's end).
    stopped_at: int | None = None


def check_bytes(data: bytes) -> None:
    """Refuse a file that is not a plain .xlsx before openpyxl reads it."""
    if len(data) > MAX_BYTES:
        raise WorkbookError(ERR_TOO_BIG)
    if data.startswith(OLE_MAGIC):
        raise WorkbookError(ERR_PROTECTED)
    if not data.startswith(ZIP_MAGIC):
        raise WorkbookError(ERR_NOT_WORKBOOK)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            content_types = (
                archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
    except zipfile.BadZipFile:
        raise WorkbookError(ERR_NOT_WORKBOOK) from None
    if "xl/workbook.xml" not in names:
        raise WorkbookError(ERR_NOT_WORKBOOK)
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in (
        content_types
    ):
        raise WorkbookError(ERR_MACRO)
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED:
        raise WorkbookError(ERR_TOO_BIG)


def _value(cell: object) -> object:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and value.startswith("=") and len(value) > 1
    ):
        return Formula(value)
    return value


def _empty(values: tuple[object, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _header_parts(header_rows: list[tuple[object, ...]], width: int) -> list[list[str]]:
    """Return each column's header texts, top to bottom.

    A merged group header (本人 over 氏名, ふりがな) holds its text in its first cell
    only: upper header rows carry their text to the right until the next text.
    """
    parts: list[list[str]] = [[] for _ in range(width)]
    last = len(header_rows) - 1
    for level, row in enumerate(header_rows):
        carried = ""
        for index in range(width):
            text = clean_text(row[index]) if index < len(row) else ""
            if text:
                carried = text
            elif level < last:
                text = carried
            if text and text not in parts[index]:
                parts[index].append(text)
    return parts


def read_sheets(data: bytes, *, header_rows: int, sheets: list[str] | None) -> Iterator[Sheet]:
    """Yield the named sheets (all, if None) of the workbook in data, header then rows."""
    check_bytes(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:
        # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors) for a
        # damaged file; all mean the same to the user.
        raise WorkbookError(ERR_NOT_WORKBOOK) from None
    try:
        titles = sheets if sheets is not None else list(book.sheetnames)
        for title in titles:
            if title not in book.sheetnames:
                raise WorkbookError(ERR_NO_SHEET % {"sheet": title})
            yield _read_sheet(book[title], title, header_rows)
    finally:
        book.close()


def _read_sheet(worksheet, title: str, header_rows: int) -> Sheet:
    header: list[tuple[object, ...]] = []
    rows: list[tuple[int, tuple[object, ...]]] = []
    empty_run = 0
    width = 0
    stopped_at = None
    for number, cells in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = tuple(_value(cell) for cell in cells)
        if number <= header_rows:
            header.append(values)
            width = max(width, len(values))
            continue
        if _empty(values):
            empty_run += 1
            if empty_run >= MAX_EMPTY_ROWS:
                stopped_at = number
                break
            continue
        empty_run = 0
        # The reader yields every row from the first, gaps as empty rows: number is the
        # row number Excel shows.
        rows.append((number, values))
        if len(rows) > MAX_ROWS:
            raise WorkbookError(ERR_TOO_MANY_ROWS % {"limit": MAX_ROWS})
    return Sheet(
        title=title, headers=_header_parts(header, width), rows=rows, stopped_at=stopped_at
    )
