"""Outreach's application on the site: events, and a case's feedback to its referrer."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from advocacy.access.roles import app_permission
from advocacy.accounts.roles import is_case_staff

from . import views


class OutreachApplication(Application):
    title = _("広報啓発・研修")
    icon = "campaign"
    app_name = "outreach"
    menu_template_name = None
    permission = app_permission(is_case_staff)

    index_path = path("", views.EventListView.as_view(), name="index")
    event_create_path = path("events/new/", views.EventEditView.as_view(), name="event_create")
    event_edit_path = path(
        "events/<str:event_id>/", views.EventEditView.as_view(), name="event_edit"
    )
    feedback_case_path = path(
        "cases/<str:case_id>/feedback/", views.FeedbackCaseView.as_view(), name="feedback_case"
    )
    feedback_give_path = path(
        "cases/<str:case_id>/feedback/<str:feedback_id>/",
        views.FeedbackGiveView.as_view(),
        name="feedback_give",
    )
    feedback_letter_path = path(
        "cases/<str:case_id>/feedback/<str:feedback_id>/letter/",
        views.FeedbackLetterView.as_view(),
        name="feedback_letter",
    )
    courses_path = path("training/", views.CourseListView.as_view(), name="courses")
    course_path = path("training/<str:course_id>/", views.CourseDetailView.as_view(), name="course")
    register_path = path("register/", views.RegisterListView.as_view(), name="register")
    trainee_erase_path = path(
        "training/trainees/<str:trainee_id>/erase/",
        views.TraineeEraseView.as_view(),
        name="trainee_erase",
    )
