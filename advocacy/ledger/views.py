"""The supervisor's ledger screens: upload → preview → confirm → progress, and the exports.

The upload is read into memory by ``MemoryOnlyUploadHandler`` (Django would otherwise
write a file over 2.5 MB to a temporary file on disk); the workbook is then kept only
encrypted (``LedgerImport.workbook``) until the import ends.
"""

from __future__ import annotations

import io
import json
import time

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from openpyxl import Workbook
from openpyxl.utils import column_index_from_string

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import Role, has_role
from advocacy.cases.guards import denied
from advocacy.cases.hooks import CasePanel

from . import disclosure, exports, services
from .mapping import FIELDS, MappingError, mapping_from_json, template_mapping
from .models import LedgerImport
from .workbook import MAX_BYTES, WorkbookError

RUN_SECONDS = 3.0


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Keep an upload in memory, whatever its size, up to the workbook limit; never on disk."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.buffer.tell() + len(raw_data) > MAX_BYTES:
            raise StopUpload(connection_reset=False)
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer, self.field_name, self.file_name, self.content_type, file_size, None
        )


class UploadForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("台帳（.xlsx）"))
    mapping = forms.FileField(
        label=gettext_lazy("対応表（JSON、省略時は保存済みの対応表）"), required=False
    )


class SupervisorMixin(RoleRequiredMixin):
    required_roles = (Role.SUPERVISOR,)


def _stored_mapping(user):
    try:
        return mapping_from_json(user.organisation.ledger_mapping.data)
    except ObjectDoesNotExist:
        return template_mapping()


@method_decorator(csrf_exempt, name="dispatch")
class LedgerHomeView(SupervisorMixin, View):
    """Upload a ledger; the list of this organisation's imports."""

    def get(self, request):
        return self._page(request, UploadForm())

    def _page(self, request, form, status=200):
        imports = LedgerImport.objects.filter(organisation_id=request.user.organisation_id)
        return render(
            request,
            "ledger/home.html",
            {"form": form, "imports": imports.order_by("-created_at")[:20]},
            status=status,
        )

    def post(self, request):
        request.upload_handlers = [MemoryOnlyUploadHandler(request)]
        return csrf_protect(self._post)(request)

    def _post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            mapping_file = form.cleaned_data["mapping"]
            mapping = (
                mapping_from_json(mapping_file.read())
                if mapping_file
                else _stored_mapping(request.user)
            )
            if mapping_file:
                services.ledger_mapping_save(actor=request.user, mapping=mapping)
            data = form.cleaned_data["workbook"].read()
            ledger_import, _check = services.ledger_upload(
                actor=request.user, data=data, mapping=mapping
            )
        except (WorkbookError, MappingError) as error:
            form.add_error(None, str(error))
            return self._page(request, form, status=400)
        return redirect("ledger:preview", import_id=ledger_import.pk)


def _import_for(request, import_id) -> LedgerImport:
    try:
        return LedgerImport.objects.get(pk=import_id, organisation_id=request.user.organisation_id)
    except (LedgerImport.DoesNotExist, ValueError):
        raise denied(request, "ledger_import", import_id) from None


class LedgerPreviewView(SupervisorMixin, View):
    """The dry run's report; confirm with rows skipped or taken as the same person."""

    def _check(self, request, ledger_import):
        return services.ledger_check(
            actor=request.user,
            data=services.stored_workbook(ledger_import),
            mapping=mapping_from_json(ledger_import.mapping),
        )

    def get(self, request, import_id):
        ledger_import = _import_for(request, import_id)
        if ledger_import.status != LedgerImport.Status.CHECKED:
            return redirect("ledger:run", import_id=ledger_import.pk)
        check = self._check(request, ledger_import)
        return render(
            request, "ledger/preview.html", {"ledger_import": ledger_import, "check": check}
        )

    def post(self, request, import_id):
        ledger_import = _import_for(request, import_id)
        if "cancel" in request.POST:
            services.ledger_import_cancel(actor=request.user, ledger_import=ledger_import)
            return redirect("ledger:index")
        choices = {
            "skip": request.POST.getlist("skip"),
            "same": request.POST.getlist("same"),
        }
        try:
            services.ledger_import_begin(
                actor=request.user,
                data=services.stored_workbook(ledger_import),
                mapping=mapping_from_json(ledger_import.mapping),
                choices=choices,
                keep_workbook=True,
            )
        except services.LedgerInvalid as error:
            return render(
                request,
                "ledger/preview.html",
                {"ledger_import": ledger_import, "check": error.check, "error": error.messages},
                status=400,
            )
        return redirect("ledger:run", import_id=ledger_import.pk)


class LedgerRunView(SupervisorMixin, View):
    """Import batches for a few seconds a request; the page shows progress and goes on."""

    def get(self, request, import_id):
        ledger_import = _import_for(request, import_id)
        return render(request, "ledger/run.html", {"ledger_import": ledger_import})

    def post(self, request, import_id):
        ledger_import = _import_for(request, import_id)
        if ledger_import.status == LedgerImport.Status.RUNNING:
            check = services.ledger_check(
                actor=request.user,
                data=services.stored_workbook(ledger_import),
                mapping=mapping_from_json(ledger_import.mapping),
            )
            deadline = time.monotonic() + RUN_SECONDS
            while ledger_import.status == LedgerImport.Status.RUNNING and (
                time.monotonic() < deadline
            ):
                ledger_import = services.ledger_import_batch(
                    actor=request.user, ledger_import=ledger_import, check=check
                )
            if ledger_import.status == LedgerImport.Status.DONE:
                messages.success(
                    request,
                    _("%(n)s 件のケースを取り込みました。") % {"n": ledger_import.cases_created},
                )
        return redirect("ledger:run", import_id=ledger_import.pk)


class SuggestForm(forms.Form):
    workbook = forms.FileField(label=gettext_lazy("台帳（.xlsx）"))
    header_rows = forms.IntegerField(
        label=gettext_lazy("見出しの行数"), min_value=0, max_value=10, initial=1
    )


class SaveMappingForm(forms.Form):
    mapping = forms.CharField(
        label=gettext_lazy("対応表（JSON）"), widget=forms.Textarea(attrs={"rows": 20})
    )


@method_decorator(csrf_exempt, name="dispatch")
class MappingView(SupervisorMixin, View):
    """The organisation's mapping: columns suggested from a workbook's headers, then saved."""

    def get(self, request):
        mapping = _stored_mapping(request.user)
        return self._page(
            request, SuggestForm(), SaveMappingForm(initial={"mapping": _json(mapping.to_json())})
        )

    def _page(self, request, suggest_form, save_form, headers=None, status=200):
        return render(
            request,
            "ledger/mapping.html",
            {"suggest_form": suggest_form, "save_form": save_form, "headers": headers},
            status=status,
        )

    def post(self, request):
        request.upload_handlers = [MemoryOnlyUploadHandler(request)]
        return csrf_protect(self._post)(request)

    def _post(self, request):
        if "save" in request.POST:
            save_form = SaveMappingForm(request.POST)
            if save_form.is_valid():
                try:
                    mapping = mapping_from_json(save_form.cleaned_data["mapping"])
                except MappingError as error:
                    save_form.add_error("mapping", str(error))
                else:
                    services.ledger_mapping_save(actor=request.user, mapping=mapping)
                    messages.success(request, _("対応表を保存しました。"))
                    return redirect("ledger:mapping")
            return self._page(request, SuggestForm(), save_form, status=400)
        suggest_form = SuggestForm(request.POST, request.FILES)
        save_form = SaveMappingForm()
        if not suggest_form.is_valid():
            return self._page(request, suggest_form, save_form, status=400)
        rows = suggest_form.cleaned_data["header_rows"]
        try:
            headers, suggested = services.ledger_suggest(
                actor=request.user,
                data=suggest_form.cleaned_data["workbook"].read(),
                header_rows=rows,
            )
        except WorkbookError as error:
            suggest_form.add_error("workbook", str(error))
            return self._page(request, suggest_form, save_form, status=400)
        mapping = {
            **_stored_mapping(request.user).to_json(),
            "header_rows": rows,
            "columns": suggested,
        }
        save_form = SaveMappingForm(initial={"mapping": _json(mapping)})
        shown = [
            (FIELDS[name][0], letter, " / ".join(headers[column_index_from_string(letter) - 1]))
            for name, letter in suggested.items()
        ]
        return self._page(request, suggest_form, save_form, headers=shown)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


class TemplateView(SupervisorMixin, View):
    """The template workbook: the header row the template mapping reads."""

    def get(self, request):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = exports.LEDGER_SHEET
        sheet.append([header for header, _hints in FIELDS.values()])
        out = io.BytesIO()
        workbook.save(out)
        return _download(out.getvalue(), "ledger-template.xlsx", XLSX)


class SampleMappingView(SupervisorMixin, View):
    def get(self, request):
        sample = {
            **template_mapping().to_json(),
            "title": "○○市 相談台帳（例）",
            "areas": {"北地区": "takashima"},
            "statuses": {"相談対応中": "consultation"},
            "referrers": {"ケアマネ": "care_manager"},
            "living_situations": {"特養": "facility", "グループホーム": "facility"},
            "households": {"夫婦のみ": "elderly_couple"},
            "petitioners": {"子": "relative", "兄弟姉妹": "relative"},
        }
        body = json.dumps(sample, ensure_ascii=False, indent=2).encode()
        return _download(body, "ledger-mapping-sample.json", "application/json")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class LedgerExportView(SupervisorMixin, View):
    def get(self, request):
        return _download(exports.ledger_export(actor=request.user), "ledger.xlsx", XLSX)


class PersonRecordView(SupervisorMixin, View):
    """Everything held about the person of a case (開示請求): a page, JSON, Word or PDF.

    Every format is built on the fly and sent with ``no-store``; the file name carries the
    case number only, never a name.
    """

    fmt = "html"
    TYPES = {
        "json": "application/json",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf",
    }

    def get(self, request, case_id):
        try:
            if self.fmt in ("docx", "pdf"):
                data, number = disclosure.person_record_file(
                    actor=request.user, case_id=case_id, fmt=self.fmt
                )
            else:
                record = disclosure.person_record(actor=request.user, case_id=case_id, fmt=self.fmt)
        except (ObjectDoesNotExist, ValueError):
            raise denied(request, "case", case_id) from None
        except ValidationError as error:  # no PDF could be made: the page says so
            messages.error(request, " ".join(error.messages))
            return redirect("ledger:person_record", case_id=case_id)
        if self.fmt in ("docx", "pdf"):
            response = FileResponse(io.BytesIO(data), content_type=self.TYPES[self.fmt])
            response["Content-Disposition"] = _filename(number, self.fmt)
        elif self.fmt == "json":
            response = StreamingHttpResponse(
                disclosure.person_record_json(record), content_type=self.TYPES["json"]
            )
            response["Content-Disposition"] = _filename(record["requested_case"], "json")
        else:
            response = render(
                request, "ledger/person_record.html", {"record": record, "case_id": case_id}
            )
        response["Cache-Control"] = "no-store"
        return response


def _filename(case_number: str, fmt: str) -> str:
    # The case number only: names travel with downloads.
    return f'attachment; filename="{case_number}_record.{fmt}"'


def disclosure_panel(*, user, case) -> CasePanel | None:
    """The case page's way to the person's record, for a supervisor of the holding
    organisation only (the one who answers a disclosure request)."""
    if not has_role(user, Role.SUPERVISOR) or user.organisation_id != case.organisation_id:
        return None
    return CasePanel(template="ledger/case_panel.html", context={"case": case})
