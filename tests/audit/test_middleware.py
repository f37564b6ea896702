from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from advocacy.audit.context import current_context, current_user
from advocacy.audit.middleware import RequestContextMiddleware
from tests import factories

pytestmark = pytest.mark.django_db


def test_each_request_gets_its_own_id_bound_while_it_runs(city):
    user = factories.user(organisation=city)
    seen = []

    def view(request):
        seen.append((current_context(), current_user()))
        return HttpResponse()

    middleware = RequestContextMiddleware(view)
    requests = [RequestFactory().get("/", REMOTE_ADDR="198.51.100.4") for _ in range(2)]
    for request in requests:
        request.user = user
    responses = [middleware(request) for request in requests]

    (first, first_user), (second, _) = seen
    assert first.request_id != second.request_id
    assert len(first.request_id) == 32
    assert first.request_id == requests[0].audit_request_id == responses[0]["X-Request-ID"]
    assert first.ip_address == "198.51.100.4"
    assert first_user == user
    assert current_context() is None


def test_a_bad_remote_address_is_left_blank():
    def view(request):
        return HttpResponse(current_context().ip_address)

    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")

    assert RequestContextMiddleware(view)(request).content == b""
