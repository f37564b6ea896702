"""The meetings application: staff screens, and the outside members' pack below it.

The pack is a nested application with its own permission (the outside member's role), which
viewflow's SiteMiddleware checks instead of the staff one for the URLs below it.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application, route

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import Role, has_role, is_case_staff

from . import views


class PackApplication(Application):
    title = _("支援会議の資料")
    icon = "lock"
    app_name = "pack"
    menu_template_name = None
    permission = app_permission(lambda user: has_role(user, Role.MEETING_MEMBER))

    index_path = path("", views.PackListView.as_view(), name="index")
    meeting_path = path("<str:meeting_id>/", views.PackView.as_view(), name="meeting")
    case_path = path(
        "<str:meeting_id>/cases/<str:case_id>/", views.PackCaseView.as_view(), name="case"
    )


class MeetingsApplication(Application):
    title = _("会議")
    icon = "groups"
    app_name = "meetings"
    menu_template_name = None
    # Staff, and the outside members who go on into the pack (the views check the roles).
    permission = app_permission(
        lambda user: is_case_staff(user) or has_role(user, Role.MEETING_MEMBER)
    )

    index_path = path("", views.MeetingListView.as_view(), name="index")
    create_path = path("new/", views.MeetingCreateView.as_view(), name="create")
    # Before the meeting's own URLs, which would take "pack" for a meeting id.
    pack_path = route("pack/", PackApplication())
    detail_path = path("<str:meeting_id>/", views.MeetingDetailView.as_view(), name="detail")
    edit_path = path("<str:meeting_id>/edit/", views.MeetingEditView.as_view(), name="edit")
    member_path = path(
        "<str:meeting_id>/members/", views.MemberAddView.as_view(), name="member_add"
    )
    attendance_path = path(
        "<str:meeting_id>/attendance/", views.AttendanceView.as_view(), name="attendance"
    )
    item_path = path("<str:meeting_id>/items/", views.ItemAddView.as_view(), name="item_add")
    minutes_path = path(
        "<str:meeting_id>/cases/<str:case_id>/minutes/",
        views.MinutesView.as_view(),
        name="minutes",
    )
    follow_up_path = path(
        "<str:meeting_id>/follow-ups/", views.FollowUpAddView.as_view(), name="follow_up_add"
    )
    share_path = path("<str:meeting_id>/shares/", views.ShareView.as_view(), name="share")
    summary_path = path("<str:meeting_id>/summary/", views.SummaryView.as_view(), name="summary")
    print_path = path("<str:meeting_id>/print/", views.MeetingPrintView.as_view(), name="print")
