"""A used session's idle expiry moves forward at most once a minute (decision 105)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.accounts.roles import Role
from advocacy.accounts.sessions import RENEWED_KEY, renew_seconds
from tests import factories

PAGE = "/app/cases/search/"


def _session_writes(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
        and "django_session" in query["sql"]
    )


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_is_not_written_on_every_request(client, city):
    # The login saved the session with its expiry: that was its renewal.
    client.force_login(factories.user(Role.CITY_CASEWORKER, organisation=city))

    assert _session_writes(client) == 0
    assert _session_writes(client) == 0


def test_a_used_session_is_renewed_once_its_expiry_has_stood_a_minute(client, city):
    client.force_login(factories.user(Role.CITY_CASEWORKER, organisation=city))
    session = client.session
    session[RENEWED_KEY] = time.time() - renew_seconds() - 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timezone.timedelta(minutes=5)
    )

    assert _session_writes(client) == 1
    expected = timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((_expiry(client) - expected).total_seconds()) < 30
    # The idle window is never longer than SESSION_COOKIE_AGE after the last use.
    assert _expiry(client) <= timezone.now() + timezone.timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )


def test_a_renewal_stamp_from_the_future_does_not_stop_renewal(client, city):
    client.force_login(factories.user(Role.CITY_CASEWORKER, organisation=city))
    session = client.session
    session[RENEWED_KEY] = time.time() + 3600
    session.save()

    assert _session_writes(client) == 1


def test_an_expired_session_is_not_brought_back(client, city):
    client.force_login(factories.user(Role.CITY_CASEWORKER, organisation=city))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )

    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
