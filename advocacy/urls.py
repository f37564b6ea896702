from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from advocacy import views
from advocacy.accounts import otp_views
from advocacy.accounts.admin import restrict_admin_to_system_admins
from advocacy.accounts.forms import LoginForm
from advocacy.health import HealthView
from advocacy.site import site

restrict_admin_to_system_admins(admin.site)

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The second factor, for every kind of user; SecondFactorMiddleware sends users here.
    path("accounts/otp/", otp_views.OtpVerifyView.as_view(), name="otp_verify"),
    path("accounts/otp/enrol/", otp_views.OtpEnrolView.as_view(), name="otp_enrol"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("app/", site.urls),
    path("audit/", include("advocacy.access.urls")),
    # For the operator's monitoring on the server itself; a 404 to everyone else.
    path("health/", HealthView.as_view(), name="health"),
]

handler403 = "advocacy.views.error_403"
handler404 = "advocacy.views.error_404"
handler500 = "advocacy.views.error_500"
