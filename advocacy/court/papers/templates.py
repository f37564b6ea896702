"""Paper templates: the defaults in ``defaults/``, a city's upload in ``PaperTemplate``;
the check an upload must pass; filling one.

Filled papers exist in memory only; ``advocacy.pdf`` converts one to PDF without leaving it
on disk.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..models import PaperTemplate
from .catalogue import PAPERS
from .context import sample_context

DEFAULTS = Path(__file__).with_name("defaults")
MAX_BYTES = 5 * 1024 * 1024

ERR_NOT_DOCX = _("Word 文書（.docx）ではありません。")
ERR_MACRO = _("マクロを含むファイルは使えません（.docm や vbaProject を含む文書）。")
ERR_TOO_LARGE = _("ファイルが大きすぎます（5MB まで）。")
ERR_SYNTAX = _("差し込み項目の書き方に誤りがあります: %(error)s")
ERR_UNKNOWN = _("この書類では使えない差し込み項目があります: %(names)s")
ERR_MISSING = _("この書類に必要な差し込み項目がありません: %(names)s")
ERR_RENDER = _("この書類の値では埋められない差し込み項目があります: %(error)s")


def _environment() -> SandboxedEnvironment:
    # Sandboxed: an uploaded template may not reach Python attributes; strict: a name
    # the context lacks is an error, never an empty blank on a court paper.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _is_macro(names: list[str], content_types: str) -> bool:
    return any(name.lower().endswith("vbaproject.bin") for name in names) or (
        "macroenabled" in content_types.lower()
    )


def template_check(code: str, data: bytes) -> set[str]:
    """Refuse data unless it is a .docx without macros using only this paper's placeholders
    and all of its required ones; return the placeholders it uses."""
    paper = PAPERS[code]
    if len(data) > MAX_BYTES:
        raise ValidationError(ERR_TOO_LARGE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise ValidationError(ERR_NOT_DOCX)
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except zipfile.BadZipFile:
        raise ValidationError(ERR_NOT_DOCX) from None
    if _is_macro(names, content_types):
        raise ValidationError(ERR_MACRO)
    try:
        used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(_environment())
    except TemplateError as error:
        raise ValidationError(ERR_SYNTAX % {"error": error}) from None
    except Exception:  # python-docx refuses what is not a Word document
        raise ValidationError(ERR_NOT_DOCX) from None
    unknown = sorted(used - set(paper.placeholders))
    if unknown:
        raise ValidationError(ERR_UNKNOWN % {"names": ", ".join(unknown)})
    missing = sorted(set(paper.required) - used)
    if missing:
        raise ValidationError(ERR_MISSING % {"names": ", ".join(missing)})
    # A trial fill with values of the right shape: what the names alone cannot show, such as
    # a column of a list (``{{ r.address }}`` in the relatives' rows) the paper does not have.
    try:
        DocxTemplate(io.BytesIO(data)).render(sample_context(code), _environment(), autoescape=True)
    except TemplateError as error:
        raise ValidationError(ERR_RENDER % {"error": error}) from None
    return used


def template_bytes(code: str) -> bytes:
    """The city's uploaded template of the paper, or the default."""
    uploaded = PaperTemplate.objects.filter(code=code).first()
    if uploaded is not None:
        return bytes(uploaded.content)
    return (DEFAULTS / f"{code}.docx").read_bytes()


def docx_fill(code: str, context: dict[str, Any]) -> bytes:
    """Fill the paper's template with context, in memory; return the .docx."""
    document = DocxTemplate(io.BytesIO(template_bytes(code)))
    document.render(context, _environment(), autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
