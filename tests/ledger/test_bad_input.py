"""Bad input: each a clear message, nothing imported, no temporary file left."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import Workbook

from advocacy.cases.models import Case
from advocacy.ledger import services
from advocacy.ledger.mapping import MappingError, mapping_from_json
from advocacy.ledger.workbook import MAX_EMPTY_ROWS, WorkbookError
from tests.ledger import books
from tests.portal.otp import force_login_verified

pytestmark = pytest.mark.django_db


def _check(supervisor, mapping, data):
    return services.ledger_check(actor=supervisor, data=data, mapping=mapping)


def _with_member(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, body)
    return out.getvalue()


def _replace_member(data: bytes, name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = body if item.filename == name else source.read(item.filename)
            target.writestr(item.filename, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name,kana\n", "Excel ブック（.xlsx）ではありません"),
        (b"PK\x03\x04 broken zip", "Excel ブック（.xlsx）ではありません"),
        # An encrypted (password-protected) .xlsx is an OLE compound file, as is an .xls.
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, "パスワード"),
    ],
)
def test_not_a_workbook_is_refused(supervisor, mapping, data, message):
    with pytest.raises(WorkbookError) as caught:
        _check(supervisor, mapping, data)
    assert message in str(caught.value)


def test_a_macro_enabled_workbook_is_refused(supervisor, mapping):
    data = _with_member(books.book([books.row("R5-001")]), "xl/vbaProject.bin", b"\0" * 64)
    with pytest.raises(WorkbookError) as caught:
        _check(supervisor, mapping, data)
    assert "マクロ" in str(caught.value)


def test_a_sheet_of_a_million_empty_rows_is_read_fast_and_bounded(supervisor, mapping):
    data = books.book([books.row("R5-001")])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    # A million rows that hold a formatted, empty cell each (a sheet formatted to its end).
    empty = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(4, 1_000_004))
    xml = xml.replace("</sheetData>", empty + "</sheetData>")
    # As Excel writes it: the used range reaches the last formatted row.
    xml = re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1:P1000003"/>', xml)
    assert 'ref="A1:P1000003"' in xml
    big = _replace_member(data, "xl/worksheets/sheet1.xml", xml.encode())
    started = time.perf_counter()
    check = _check(supervisor, mapping, big)
    assert time.perf_counter() - started < 10
    assert [row.values["case_number"] for row in check.rows] == ["R5-001"]
    assert check.notes and str(MAX_EMPTY_ROWS) in check.notes[0]


def test_formulas_instead_of_values_are_reported(supervisor, mapping):
    data = books.book([books.row("R5-001", consulted="=DATE(2023,4,1)")])
    check = _check(supervisor, mapping, data)
    assert [issue.row for issue in check.issues] == [3]
    assert "数式" in check.issues[0].reasons[0]
    with pytest.raises(services.LedgerInvalid):
        services.ledger_import_run(actor=supervisor, data=data, mapping=mapping)
    assert not Case.objects.exists()


def test_a_mapping_naming_a_missing_column_is_refused(supervisor):
    mapping = mapping_from_json(
        json.dumps(dict(books.MAPPING, columns={**books.MAPPING["columns"], "kana": "カナ氏名"}))
    )
    with pytest.raises(MappingError) as caught:
        _check(supervisor, mapping, books.book([books.row("R5-001")]))
    assert "カナ氏名" in str(caught.value)


@pytest.mark.parametrize(
    "mapping", ["not json", "[]", '{"columns": {"name": "A"}}', '{"columns": {"colour": "A"}}']
)
def test_a_mapping_of_the_wrong_shape_is_refused(mapping):
    with pytest.raises(MappingError):
        mapping_from_json(mapping)


def test_a_sheet_the_mapping_names_must_exist(supervisor):
    mapping = mapping_from_json(books.mapping_json(sheets=["R9"]))
    with pytest.raises(WorkbookError) as caught:
        _check(supervisor, mapping, books.book([books.row("R5-001")]))
    assert "R9" in str(caught.value)


def test_an_upload_leaves_no_temporary_file(supervisor, settings, tmp_path):
    # Django's default handlers would write any upload over 1 byte to this directory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    client = force_login_verified(Client(), supervisor)
    for data in (books.book([books.row("R5-001")]), b"not a workbook"):
        client.post(
            "/app/ledger/",
            {
                "workbook": SimpleUploadedFile("ledger.xlsx", data),
                "mapping": SimpleUploadedFile("m.json", books.mapping_json().encode()),
            },
        )
    assert list(tmp_path.iterdir()) == []


def test_the_command_reports_bad_rows_and_imports_nothing(supervisor, tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    ledger.write_bytes(books.book([books.row("R5-001"), books.row("R5-002", birth="R5.2.30")]))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(books.mapping_json(), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_ledger", str(ledger), mapping=str(mapping), user=supervisor.username, stdout=out
        )
    assert "R5 row 4" in out.getvalue()
    assert not Case.objects.exists()
    call_command(
        "import_ledger",
        str(ledger),
        mapping=str(mapping),
        user=supervisor.username,
        skip=["R5!4"],
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "imported: 1 new cases" in out.getvalue()
    assert Case.objects.count() == 1


def test_the_template_and_the_sample_mapping_read_each_other(supervisor):
    client = force_login_verified(Client(), supervisor)
    template = client.get("/app/ledger/template.xlsx")
    sample = client.get("/app/ledger/mapping-sample.json")
    assert template.status_code == sample.status_code == 200
    mapping = mapping_from_json(sample.content)
    workbook = Workbook()
    check = _check(supervisor, mapping, template.content)
    assert check.issues == [] and check.rows == []
    del workbook
