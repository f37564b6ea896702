"""A PDF conversion that hangs is stopped whole: LibreOffice's own children do not outlive it.

Debian's ``soffice`` is a shell script that starts ``oosplash``, which starts
``soffice.bin``: killing the process started is not enough. The stand-in here behaves the same
way (a script whose child keeps running) so that the conversion's timeout can be seen to stop
the child too; a real LibreOffice does not hang on demand.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from advocacy import pdf


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not running.
    state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    return state != "Z"


def test_a_hanging_conversion_is_stopped_with_every_child(tmp_path, monkeypatch):
    marker = tmp_path / "child.pid"
    soffice = tmp_path / "soffice"
    # The "office": starts a child that would run for ten minutes, notes its pid, then hangs.
    soffice.write_text(f"#!/bin/sh\nsleep 600 &\necho $! > {marker}\nsleep 600\n")
    soffice.chmod(soffice.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.setattr(pdf, "PDF_TIMEOUT_SECONDS", 2)

    started = time.monotonic()
    with pytest.raises(ValidationError):
        pdf.pdf_from_docx(b"not really a document")
    assert time.monotonic() - started < 30
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child), "the office's child outlived the conversion's timeout"
