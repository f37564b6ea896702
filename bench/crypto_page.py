"""URLs for bench_crypto.py: the same 50-row list page over encrypted and plain records.

Both pages are served like every page of the application: the project's middleware, a
logged-in session, and the viewflow layout with its menu. Only the model differs.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views import View
from viewflow.urls import Application, Site

from advocacy.cases.viewsets import CasesApplication
from tests.testapp.models import PlainRecord, Record
from workflows.site import InboxApplication

FIELDS = ("text", "day", "amount", "count", "data", "note")
ROWS = """<table>{% for r in rows %}<tr><td>{{ r.text }}</td><td>{{ r.day|date:"Y-m-d" }}</td>
<td>{{ r.amount }}</td><td>{{ r.count }}</td><td>{{ r.data.relation }}</td><td>{{ r.note }}</td>
</tr>{% endfor %}</table>"""
PAGE = engines["django"].from_string(
    "{% extends 'viewflow/base_page.html' %}{% block content %}" + ROWS + "{% endblock %}"
)


class RecordList(View):
    model = Record

    def get(self, request):
        queryset = self.model.objects.order_by("pk")
        if self.model is Record:
            # The fields the page shows, decrypted in bulk after the fetch, as list pages do.
            queryset = queryset.with_data_keys(*FIELDS)
        return HttpResponse(PAGE.render({"rows": list(queryset[:50])}, request))


class BenchApplication(Application):
    title = "bench"
    app_name = "bench"
    menu_template_name = None

    encrypted_path = path("encrypted/", RecordList.as_view(model=Record), name="encrypted")
    plain_path = path("plain/", RecordList.as_view(model=PlainRecord), name="plain")


site = Site(title="bench", viewsets=[InboxApplication(), CasesApplication(), BenchApplication()])

urlpatterns = [path("app/", site.urls)]
