"""Meeting screens: staff (list, create, the meeting page and its actions, minutes, print)
and the outside member's pack. Thin views: validate, call one service or selector, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from advocacy.access.roles import RoleRequiredMixin
from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role, has_role, is_case_staff
from advocacy.cases.guards import StaffOnlyMixin, denied, load_case
from advocacy.cases.selectors import cases_visible_to

from . import hooks, selectors, services
from .forms import (
    AttendanceForm,
    FollowUpForm,
    ItemForm,
    MeetingForm,
    MemberForm,
    MinutesForm,
    ShareForm,
    SummaryForm,
)
from .models import SECRECY_BASIS, SECRECY_NOTICE, AgendaItem, Meeting

# What staff read of an agenda case on the meeting page and its papers.
STAFF_FIELDS = [
    "Person.name",
    "AgendaItem.briefing",
    "AgendaItem.minutes",
    "AgendaItem.decision_text",
    "AgendaItem.reasons",
    "FollowUp.action",
]
# What an outside member reads in a 支援会議's pack: who the case is about and what the
# meeting is asked to discuss; nothing of the case's records (decision 68).
PACK_FIELDS = ["Person.name", "AgendaItem.briefing"]

ERR_ERRORS = _("入力に誤りがあります。内容を確かめてください。保存されていません。")


def _errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _MeetingMixin(StaffOnlyMixin):
    """Load the meeting of the URL through the selector; not ours looks the same as missing."""

    def meeting(self, request: HttpRequest, meeting_id: object) -> Meeting:
        # StaffOnlyMixin let only logged-in staff this far.
        user = cast(User, request.user)
        try:
            return selectors.meeting_get_for(user=user, meeting_id=meeting_id)
        except Http404:
            raise denied(request, "meeting", meeting_id) from None

    def page(self, request, meeting: Meeting, status: int = 200, **forms) -> HttpResponse:
        user = request.user
        items = list(selectors.items_visible_to(user=user, meeting=meeting))
        members = list(meeting.members.select_related("user"))
        organisation_id = user.organisation_id
        proposed = (
            selectors.review_due(user=user).exclude(pk__in=meeting.items.values("case_id"))[:50]
            if meeting.kind == Meeting.Kind.REGULAR
            else []
        )
        shareable = (
            Organisation.objects.filter(
                members__meeting_memberships__meeting=meeting,
                members__meeting_memberships__is_outside=False,
            )
            .exclude(pk=meeting.organisation_id)
            .distinct()
        )
        context = {
            "meeting": meeting,
            "items": items,
            "hidden_items": selectors.hidden_item_count(user=user, meeting=meeting),
            "members": members,
            "proposed": proposed,
            "secrecy_basis": SECRECY_BASIS,
            "secrecy_notice": SECRECY_NOTICE,
            "sections": hooks.meeting_page_sections(request=request, meeting=meeting),
            "edit_form": forms.get("edit_form")
            or MeetingForm(instance=meeting, organisation_id=organisation_id),
            "member_form": forms.get("member_form") or MemberForm(organisation_id=organisation_id),
            "attendance_form": forms.get("attendance_form") or AttendanceForm(members=members),
            "item_form": forms.get("item_form") or ItemForm(),
            "follow_up_form": forms.get("follow_up_form")
            or FollowUpForm(items=items, organisation_id=organisation_id),
            "share_form": forms.get("share_form")
            or ShareForm(items=items, organisations=shareable),
            "summary_form": forms.get("summary_form") or SummaryForm(instance=meeting),
        }
        services.meeting_view_record(
            actor=user, meeting=meeting, items=items, fields_read=STAFF_FIELDS, request=request
        )
        return render(request, "meetings/detail.html", context, status=status)


class MeetingListView(StaffOnlyMixin, View):
    def dispatch(self, request, *args, **kwargs):
        # The menu's 会議 takes an outside member to their pack instead of a 403.
        if has_role(request.user, Role.MEETING_MEMBER) and not is_case_staff(request.user):
            return redirect("meetings:pack:index")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        meetings = selectors.meetings_for(user=request.user)
        kind = request.GET.get("kind")
        if kind in Meeting.Kind.values:
            meetings = meetings.filter(kind=kind)
        page = Paginator(meetings, selectors.MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
        return render(
            request,
            "meetings/list.html",
            {
                "page": page,
                "rows": page.object_list,
                "kinds": Meeting.Kind.choices,
                "kind": kind or "",
                "query": f"kind={kind}" if kind in Meeting.Kind.values else "",
            },
        )


class MeetingCreateView(StaffOnlyMixin, View):
    def get(self, request):
        form = MeetingForm(organisation_id=request.user.organisation_id)
        return render(request, "meetings/form.html", {"form": form})

    def post(self, request):
        form = MeetingForm(request.POST, organisation_id=request.user.organisation_id)
        if form.is_valid():
            try:
                meeting = services.meeting_create(actor=request.user, values=form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("会議を登録しました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return render(request, "meetings/form.html", {"form": form}, status=422)


class MeetingDetailView(_MeetingMixin, View):
    def get(self, request, meeting_id):
        return self.page(request, self.meeting(request, meeting_id))


class MeetingEditView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        form = MeetingForm(
            request.POST, instance=meeting, organisation_id=request.user.organisation_id
        )
        if form.is_valid():
            try:
                services.meeting_update(
                    actor=request.user, meeting=meeting, values=form.cleaned_data
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("会議を更新しました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        meeting.refresh_from_db()
        return self.page(request, meeting, status=422, edit_form=form)


class MemberAddView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        form = MemberForm(request.POST, organisation_id=request.user.organisation_id)
        if form.is_valid():
            try:
                services.member_add(actor=request.user, meeting=meeting, values=form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("構成員を加えました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return self.page(request, meeting, status=422, member_form=form)


class AttendanceView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        form = AttendanceForm(request.POST, members=list(meeting.members.all()))
        if form.is_valid():
            services.attendance_record(
                actor=request.user, meeting=meeting, present=set(form.cleaned_data["present"])
            )
            messages.success(request, _("出欠を記録しました。"))
            return redirect("meetings:detail", meeting_id=meeting.pk)
        return self.page(request, meeting, status=422, attendance_form=form)


class ItemAddView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        form = ItemForm(request.POST)
        if form.is_valid():
            # The visibility rule finds the case: another organisation's number finds nothing.
            case = (
                cases_visible_to(user=request.user)
                .filter(number=form.cleaned_data["case_number"].strip())
                .first()
            )
            if case is None:
                form.add_error("case_number", _("そのケース番号のケースは見つかりません。"))
            else:
                try:
                    services.item_add(
                        actor=request.user,
                        meeting=meeting,
                        case=case,
                        briefing=form.cleaned_data["briefing"],
                    )
                except ValidationError as error:
                    _errors(form, error)
                else:
                    messages.success(request, _("議題に加えました。"))
                    return redirect("meetings:detail", meeting_id=meeting.pk)
        return self.page(request, meeting, status=422, item_form=form)


class MinutesView(_MeetingMixin, View):
    """The minutes of one agenda case (for a 支援調整会議, its decision too)."""

    template_name = "meetings/minutes.html"

    def _render(self, request, meeting, case, item, form, status=200):
        if item is not None:
            services.meeting_view_record(
                actor=request.user,
                meeting=meeting,
                items=[item],
                fields_read=STAFF_FIELDS,
                request=request,
            )
        return render(
            request,
            self.template_name,
            {"meeting": meeting, "case": case, "item": item, "form": form},
            status=status,
        )

    def _load(self, request, meeting_id, case_id):
        meeting = self.meeting(request, meeting_id)
        case = load_case(request, case_id)
        item = AgendaItem.objects.filter(meeting=meeting, case=case).first()
        return meeting, case, item

    def get(self, request, meeting_id, case_id):
        meeting, case, item = self._load(request, meeting_id, case_id)
        initial = (
            {
                "minutes": item.minutes,
                "decision_text": item.decision_text,
                "reasons": item.reasons,
            }
            if item
            else {}
        )
        form = MinutesForm(initial=initial, meeting=meeting)
        if item is None:
            # Said before anything is typed: the case is not on this agenda.
            form = MinutesForm({}, meeting=meeting)
            form.full_clean()
            form.add_error(None, services.ERR_NOT_ON_AGENDA)
            return self._render(request, meeting, case, item, form, status=422)
        return self._render(request, meeting, case, item, form)

    def post(self, request, meeting_id, case_id):
        meeting, case, item = self._load(request, meeting_id, case_id)
        form = MinutesForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                services.item_minutes_record(
                    actor=request.user, meeting=meeting, case=case, values=form.cleaned_data
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("議事録を保存しました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return self._render(request, meeting, case, item, form, status=422)


class FollowUpAddView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        items = list(selectors.items_visible_to(user=request.user, meeting=meeting))
        form = FollowUpForm(request.POST, items=items, organisation_id=request.user.organisation_id)
        if form.is_valid():
            case = next(i.case for i in items if str(i.case_id) == form.cleaned_data["case"])
            try:
                services.follow_up_add(
                    actor=request.user,
                    meeting=meeting,
                    case=case,
                    action=form.cleaned_data["action"],
                    owner=form.cleaned_data["owner"],
                    due_on=form.cleaned_data["due_on"],
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("対応を登録しました。担当者の受信箱に入ります。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return self.page(request, meeting, status=422, follow_up_form=form)


class ShareView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        items = list(selectors.items_visible_to(user=request.user, meeting=meeting))
        organisations = Organisation.objects.exclude(pk=meeting.organisation_id)
        form = ShareForm(request.POST, items=items, organisations=organisations)
        if form.is_valid():
            case = next(i.case for i in items if str(i.case_id) == form.cleaned_data["case"])
            organisation = organisations.get(pk=form.cleaned_data["organisation"])
            try:
                services.meeting_case_share(
                    actor=request.user,
                    meeting=meeting,
                    case=case,
                    organisation=organisation,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("支援会議を根拠にケースを共有しました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        return self.page(request, meeting, status=422, share_form=form)


class SummaryView(_MeetingMixin, View):
    def post(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        form = SummaryForm(request.POST, instance=meeting)
        if form.is_valid():
            try:
                services.meeting_summary_save(
                    actor=request.user, meeting=meeting, summary=form.cleaned_data["summary"]
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("議事の概要を保存しました。"))
                return redirect("meetings:detail", meeting_id=meeting.pk)
        meeting.refresh_from_db()
        return self.page(request, meeting, status=422, summary_form=form)


class MeetingPrintView(_MeetingMixin, View):
    """The agenda and minutes on paper: 和暦, the secrecy notice on every page of a 支援会議."""

    def get(self, request, meeting_id):
        meeting = self.meeting(request, meeting_id)
        items = list(selectors.items_visible_to(user=request.user, meeting=meeting))
        services.meeting_view_record(
            actor=request.user,
            meeting=meeting,
            items=items,
            fields_read=STAFF_FIELDS,
            request=request,
        )
        return render(
            request,
            "meetings/print.html",
            {
                "meeting": meeting,
                "items": items,
                "members": meeting.members.select_related("user"),
                "secrecy_notice": SECRECY_NOTICE,
            },
        )


# The outside member's pack


class PackMixin(RoleRequiredMixin):
    # The second factor is asked for by advocacy.accounts.middleware (this role always).
    required_roles = (Role.MEETING_MEMBER,)

    def pack(self, request, meeting_id) -> Meeting:
        try:
            return selectors.pack_get_for(user=request.user, meeting_id=meeting_id)
        except Http404:
            raise denied(request, "meeting", meeting_id) from None


class PackListView(PackMixin, View):
    def get(self, request):
        meetings = selectors.pack_meetings_for(user=request.user)
        return render(request, "meetings/pack_list.html", {"meetings": meetings})


class PackView(PackMixin, View):
    def get(self, request, meeting_id):
        meeting = self.pack(request, meeting_id)
        items = list(meeting.items.select_related("case", "person"))
        services.pack_view_record(
            actor=request.user,
            meeting=meeting,
            items=items,
            fields_read=PACK_FIELDS,
            request=request,
        )
        return render(
            request,
            "meetings/pack.html",
            {
                "meeting": meeting,
                "items": items,
                "secrecy_notice": SECRECY_NOTICE,
                "secrecy_basis": SECRECY_BASIS,
                "until": selectors.pack_open_until(meeting),
            },
        )


class PackCaseView(PackMixin, View):
    def get(self, request, meeting_id, case_id):
        meeting = self.pack(request, meeting_id)
        try:
            item = selectors.pack_item_get(meeting=meeting, case_id=case_id)
        except Http404:
            raise denied(request, "case", case_id) from None
        services.pack_view_record(
            actor=request.user,
            meeting=meeting,
            items=[item],
            fields_read=PACK_FIELDS,
            request=request,
        )
        return render(
            request,
            "meetings/pack_case.html",
            {"meeting": meeting, "item": item, "secrecy_notice": SECRECY_NOTICE},
        )
