"""Anonymised statistics for the network committee (and a preview for supervisors).

The views show one fiscal year's report and nothing else: no filters, no drill-down, no link
to a case. Every view and export writes an audit event.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import Role
from advocacy.dates import fiscal_year_of
from advocacy.stats import services


def _year_choices() -> list[int]:
    current = fiscal_year_of(timezone.localdate())
    return list(range(current, current - 10, -1))


class ReportMixin(RoleRequiredMixin):
    """Read the fiscal year from ?year= (the only parameter) and build its report."""

    required_roles = (Role.COMMITTEE_MEMBER,)
    preview = False

    def fiscal_year(self) -> int:
        choices = _year_choices()
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            return choices[0]
        return year if year in choices else choices[0]

    def report(self) -> services.Report:
        # What the committee sees is published; a supervisor's preview is not.
        return services.report_build(fiscal_year=self.fiscal_year(), publish=not self.preview)


class StatsHomeView(ReportMixin, TemplateView):
    """The committee's home: one fiscal year's anonymised report."""

    template_name = "stats/home.html"

    def get_context_data(self, **kwargs):
        report = self.report()
        services.report_view_record(
            actor=self.request.user,
            fiscal_year=report.fiscal_year,
            preview=self.preview,
            request=self.request,
        )
        return super().get_context_data(
            report=report, year_choices=_year_choices(), preview=self.preview, **kwargs
        )


class StatsPreviewView(StatsHomeView):
    """The committee's report as a supervisor previews it, without publishing it."""

    required_roles = (Role.SUPERVISOR,)
    preview = True


class StatsPrintView(StatsHomeView):
    """The same report on a plain page for printing."""

    template_name = "stats/print.html"


class StatsExportView(ReportMixin, View):
    """The report as CSV or Excel: exactly the cells the screen shows."""

    fmt = "csv"

    def get(self, request, *args, **kwargs):
        report = self.report()
        services.report_export_record(
            actor=request.user, fiscal_year=report.fiscal_year, fmt=self.fmt, request=request
        )
        if self.fmt == "xlsx":
            content = services.report_xlsx(report)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = services.report_csv(report)
            mime = "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = (
            f'attachment; filename="advocacy-stats-{report.fiscal_year}.{self.fmt}"'
        )
        response["Cache-Control"] = "no-store"
        return response
