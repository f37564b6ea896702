"""PDF from a Word document, by LibreOffice headless, without leaving the document on disk.

Used by every package that hands out a generated document as PDF (the court's papers, a
person's record); it imports nothing of ours, so any layer may use it. LibreOffice needs a
file: the .docx is written to a private folder in /dev/shm (memory, where there is one) and
the folder is removed in a ``finally``, whatever happens. LibreOffice's own temporary files
(it writes working copies of the document to TMPDIR) go into the same folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess  # noqa: S404 - LibreOffice is run with fixed arguments, no shell
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Below gunicorn's worker timeout (deploy/gunicorn.conf.py, 60 s): a worker killed by its
# arbiter would leave the conversion's processes running, in their own session.
PDF_TIMEOUT_SECONDS = 45
ERR_NO_PDF = _("PDF に変換できませんでした（LibreOffice が使えません）。Word 版を使ってください。")

# Memory, not disk; mkdtemp makes a private (0700) folder inside it.
SCRATCH = "/dev/shm"  # noqa: S108


def _scratch_root() -> str | None:
    return SCRATCH if os.path.isdir(SCRATCH) and os.access(SCRATCH, os.W_OK) else None


def pdf_from_docx(data: bytes) -> bytes:
    """Convert a .docx with LibreOffice headless, in a private folder removed at once."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ValidationError(ERR_NO_PDF)
    folder = tempfile.mkdtemp(prefix="docx-pdf-", dir=_scratch_root())  # mode 0700
    try:
        source = Path(folder, "document.docx")
        source.write_bytes(data)
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{folder}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Not the disk's /tmp: LibreOffice's working copies stay in the private folder.
            env={**os.environ, "TMPDIR": folder},
            # Its own process group: Debian's soffice is a script that starts oosplash, which
            # starts soffice.bin; a timeout must stop all of them, not the script alone.
            start_new_session=True,
        )
        try:
            process.communicate(timeout=PDF_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            _stop_group(process)
            raise ValidationError(ERR_NO_PDF) from None
        target = Path(folder, "document.pdf")
        if process.returncode != 0 or not target.exists():
            raise ValidationError(ERR_NO_PDF)
        return target.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stop_group(process: subprocess.Popen) -> None:
    """Kill every process of the conversion's group and reap the one started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # all gone already
    process.communicate()
