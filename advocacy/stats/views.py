"""Anonymised statistics for the network committee (and a preview and releases for supervisors).

The committee sees releases only: the report of a fiscal year as a supervisor released it,
stored as computed. No filters, no drill-down, no link to a case; nothing is written on GET
but the audit event of the view or export. Supervisors preview the live figures, marked as
not released, and release them with an explicit, confirmed act (a POST).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.roles import Role, has_role
from advocacy.dates import fiscal_year_label, fiscal_year_of
from advocacy.stats import selectors, services, survey
from advocacy.stats.models import Release

RELEASES_PER_PAGE = 10


def _year_choices() -> list[int]:
    current = fiscal_year_of(timezone.localdate())
    return list(range(current, current - 10, -1))


def _int_param(request, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


class ReleaseMixin(RoleRequiredMixin):
    """Find the release asked for: ?release=<id>, else the latest of ?year=, else the latest."""

    required_roles = (Role.COMMITTEE_MEMBER,)

    def fiscal_year(self) -> int | None:
        year = _int_param(self.request, "year")
        return year if year in _year_choices() else None

    def release_report(self) -> services.Report | None:
        """The release asked for, whole (what was released: its files are built from it)."""
        release = selectors.release_get(
            release_id=_int_param(self.request, "release"), fiscal_year=self.fiscal_year()
        )
        return None if release is None else services.release_report(release)

    def release_shown(self) -> services.Report | services.StoredReport | None:
        """The release asked for, as its page shows it (one language's stored tables)."""
        release = selectors.release_get(
            release_id=_int_param(self.request, "release"),
            fiscal_year=self.fiscal_year(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        return None if release is None else services.release_shown(release)


class StatsHomeView(ReleaseMixin, TemplateView):
    """The committee's home: one release of a year's report, and the list of releases."""

    template_name = "stats/home.html"

    def dispatch(self, request, *args, **kwargs):
        # The menu's 統計 leads here; a supervisor's statistics are the preview and release.
        user = request.user
        if has_role(user, Role.SUPERVISOR) and not has_role(user, Role.COMMITTEE_MEMBER):
            query = request.GET.urlencode()
            return redirect(reverse("stats:preview") + (f"?{query}" if query else ""))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        report = self.release_shown()
        if report is not None:
            services.report_view_record(
                actor=self.request.user, report=report, request=self.request
            )
        page = selectors.releases_page(
            selectors.releases_listed(), self.request.GET.get("page"), RELEASES_PER_PAGE
        )
        year = report.fiscal_year if report else self.fiscal_year() or _year_choices()[0]
        return super().get_context_data(
            report=report,
            report_html=services.shown_html(report) if report else "",
            release_label=services.release_label(report.release) if report else "",
            fiscal_year=year,
            year_choices=_year_choices(),
            releases=page,
            preview=False,
            **kwargs,
        )


class StatsPrintView(ReleaseMixin, TemplateView):
    """A release on a plain page for printing."""

    template_name = "stats/print.html"

    def get_context_data(self, **kwargs):
        report = self.release_shown()
        if report is None:
            raise Http404
        services.report_view_record(actor=self.request.user, report=report, request=self.request)
        return super().get_context_data(
            report=report,
            report_html=services.shown_html(report),
            release_label=services.release_label(report.release),
            **kwargs,
        )


class StatsExportView(ReleaseMixin, View):
    """A release as CSV or Excel: exactly the cells the screen shows."""

    fmt = "csv"

    def get(self, request, *args, **kwargs):
        report = self.release_report()
        if report is None:
            raise Http404
        services.report_export_record(
            actor=request.user, report=report, fmt=self.fmt, request=request
        )
        if self.fmt == "xlsx":
            content = services.report_xlsx(report)
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            content = services.report_csv(report)
            mime = "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=mime)
        number = report.release.number if report.release else 0
        response["Content-Disposition"] = (
            f'attachment; filename="advocacy-stats-{report.fiscal_year}-{number}.{self.fmt}"'
        )
        response["Cache-Control"] = "no-store"
        return response


class StatsPreviewView(RoleRequiredMixin, TemplateView):
    """The live figures of a year as a supervisor previews them: not released, never exported."""

    required_roles = (Role.SUPERVISOR,)
    template_name = "stats/home.html"

    def get_context_data(self, **kwargs):
        year = _int_param(self.request, "year")
        year = year if year in _year_choices() else _year_choices()[0]
        report = services.report_build(fiscal_year=year)
        services.report_view_record(actor=self.request.user, report=report, request=self.request)
        page = selectors.releases_page(
            selectors.releases_listed().filter(fiscal_year=year),
            self.request.GET.get("page"),
            RELEASES_PER_PAGE,
        )
        return super().get_context_data(
            report=report,
            report_html=services.report_html(report),
            fiscal_year=year,
            year_choices=_year_choices(),
            releases=page,
            preview=True,
            **kwargs,
        )


class ReleaseForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("種別"), choices=Release.Kind.choices)
    confirm = forms.BooleanField(
        label=gettext_lazy("公表した内容は取り消せず、委員会にそのまま示されることを確認しました"),
        required=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, fiscal_year_label(y)) for y in _year_choices()]


class StatsReleaseView(RoleRequiredMixin, View):
    """A supervisor releases a year's report to the committee, after confirming it."""

    required_roles = (Role.SUPERVISOR,)
    template_name = "stats/release.html"

    def get(self, request):
        year = _int_param(request, "year")
        initial = {"fiscal_year": year if year in _year_choices() else _year_choices()[0]}
        return render(request, self.template_name, {"form": ReleaseForm(initial=initial)})

    def post(self, request):
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=422)
        try:
            release = services.report_release(
                actor=request.user,
                fiscal_year=form.cleaned_data["fiscal_year"],
                kind=form.cleaned_data["kind"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, self.template_name, {"form": form}, status=422)
        messages.success(
            request,
            _("%(year)s の統計を公表しました（%(label)s）。")
            % {
                "year": fiscal_year_label(release.fiscal_year),
                "label": services.release_label(release),
            },
        )
        return redirect(f"{reverse('stats:preview')}?year={release.fiscal_year}")


class SurveyExportView(RoleRequiredMixin, View):
    """The national survey's tables of a year as Excel: unsuppressed, for the ministry only."""

    required_roles = (Role.SUPERVISOR,)

    def get(self, request, *args, **kwargs):
        year = _int_param(request, "year")
        if year not in _year_choices():
            return HttpResponseBadRequest(
                _("年度を選んでください（直近10年度のいずれか）。"),
                content_type="text/plain; charset=utf-8",
            )
        content = survey.survey_xlsx(
            fiscal_year=year, sections=survey.survey_build(fiscal_year=year)
        )
        survey.survey_export_record(actor=request.user, fiscal_year=year, request=request)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="advocacy-survey-{year}.xlsx"'
        response["Cache-Control"] = "no-store"
        return response
