"""The project's URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from advocacy.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("secret-internal-detail 瀬戸内カナリア")


urlpatterns = [*project_urls, path("boom/", boom)]
handler500 = "advocacy.views.error_500"
