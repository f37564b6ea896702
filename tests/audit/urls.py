"""The project's URLs plus the audit pages, until the project's urls.py includes them."""

from django.urls import include, path

from advocacy import urls as project_urls

urlpatterns = [
    *project_urls.urlpatterns,
    path("audit/", include("advocacy.access.urls")),
]

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
