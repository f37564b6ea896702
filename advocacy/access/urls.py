from django.urls import path

from . import views

# The URL names keep the audit namespace: the page shows the audit trail.
app_name = "audit"

urlpatterns = [
    path("", views.organisation_events, name="organisation_events"),
]
