"""Guessing the second factor: wrong codes are throttled and audited; a reset is told by mail.

An attacker who has the password (a phished one, a shared desk) still faces a six-digit code;
without a limit, a script tries a million codes in hours. django-otp doubles the wait after
each wrong code (1, 2, 4 … seconds); these tests walk that as an attacker would.
"""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from advocacy.accounts.services import second_factor_reset
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from tests.portal.otp import confirmed_device, token_for

pytestmark = pytest.mark.django_db

VERIFY = "/accounts/otp/"
START = datetime.datetime(2026, 6, 1, 1, 0, tzinfo=datetime.UTC)


def _wrong(device) -> str:
    """A code the device does not accept now (the window is the previous, current, next)."""
    valid = {token_for(device)}
    return next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in valid)


def _unverified_client(user) -> Client:
    client = Client()
    client.force_login(user)  # the password step done; the second factor still asked
    return client


def _events(action) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def pro(users_by_role):
    user = users_by_role["professional"]
    confirmed_device(user)
    return user


def test_twenty_quick_guesses_are_refused_and_so_is_the_right_code_until_the_wait_ends(pro):
    client = _unverified_client(pro)
    device = confirmed_device(pro)
    with time_machine.travel(START, tick=False) as clock:
        statuses = [
            client.post(VERIFY, {"token": _wrong(device)}).status_code for _attempt in range(20)
        ]
        device.refresh_from_db()

        # The first guess was checked and wrong; the other nineteen were not even checked.
        assert statuses[0] == HTTPStatus.UNPROCESSABLE_ENTITY
        assert set(statuses[1:]) == {HTTPStatus.TOO_MANY_REQUESTS}
        assert device.throttling_failure_count == 1
        assert _events(Action.LOGIN_FAILED) == 1
        assert _events(Action.SECOND_FACTOR_LOCKED) == 19
        locked = AuditEvent.objects.filter(action=Action.SECOND_FACTOR_LOCKED).first()
        assert locked.actor == pro and locked.label == "totp"

        # The right code, during the wait: refused, and the page says why (never the code).
        right = token_for(device)
        response = client.post(VERIFY, {"token": right})
        assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert "しばらく" in response.content.decode()
        assert right not in response.content.decode()
        assert DEVICE_ID_SESSION_KEY not in client.session

        clock.shift(datetime.timedelta(seconds=2))
        response = client.post(VERIFY, {"token": token_for(device)})
        assert response.status_code == HTTPStatus.FOUND
        assert DEVICE_ID_SESSION_KEY in client.session
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_patient_guesser_gets_few_tries_a_day(pro):
    """Waiting out each delay, the waits double: a day holds at most eighteen guesses."""
    device = confirmed_device(pro)
    guesses = 0
    with time_machine.travel(START, tick=False) as clock:
        while timezone.now() < START + datetime.timedelta(days=1):
            # Sessions idle out after half an hour: the guesser logs in again each time.
            client = _unverified_client(pro)
            response = client.post(VERIFY, {"token": _wrong(device)})
            assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
            guesses += 1
            assert guesses <= 18
            device.refresh_from_db()
            allowed, data = device.verify_is_allowed()
            assert not allowed
            clock.move_to(data["locked_until"])
    # 2**17 seconds (a day and a half) is the wait now; each wrong code was audited.
    assert 16 <= guesses <= 18
    assert _events(Action.LOGIN_FAILED) == guesses
    assert _events(Action.SECOND_FACTOR_LOCKED) == 0


def test_the_enrolment_page_gives_no_way_round_the_wait(pro):
    """A user with a device is sent from the enrolment page back to verify, even when locked."""
    client = _unverified_client(pro)
    device = confirmed_device(pro)
    with time_machine.travel(START, tick=False):
        client.post(VERIFY, {"token": _wrong(device)})
        response = client.post("/accounts/otp/enrol/", {"token": token_for(device)})
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith(VERIFY)
        assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_reset_tells_the_user_by_mail_without_secrets(
    users_by_role, pro, django_capture_on_commit_callbacks
):
    admin = users_by_role["system_admin"]
    device = confirmed_device(pro)
    key = device.key

    with django_capture_on_commit_callbacks(execute=True):
        second_factor_reset(actor=admin, user=pro)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pro.email]
    assert "二要素認証" in message.subject
    body = message.subject + message.body
    assert key not in body and key.upper() not in body
    assert pro.last_name not in body and pro.first_name not in body
    assert "管理者" in body


def test_a_reset_of_an_account_without_address_sends_nothing(
    users_by_role, pro, django_capture_on_commit_callbacks
):
    admin = users_by_role["system_admin"]
    pro.email = ""
    pro.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        second_factor_reset(actor=admin, user=pro)

    assert mail.outbox == []
