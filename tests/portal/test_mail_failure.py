"""A mail server that is down after a saved change: the change stands, the user is not shown
an error, and the log says which notice failed without naming anyone."""

from __future__ import annotations

import logging
import socket
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import transaction

from advocacy.mail import mail_after_commit
from advocacy.portal.models import CoordinationRequest

from .conftest import send

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    """Django's real SMTP backend, pointed at a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The port was free a moment ago and is closed now: connecting is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2
    return port


def test_a_request_sent_while_the_mail_server_is_down_is_saved_and_answered_normally(
    worker_client, case, pro, smtp_down, caplog, django_capture_on_commit_callbacks
):
    pro.email = "canary-addressee@example.invalid"
    pro.save()

    with caplog.at_level(logging.ERROR, logger="advocacy.mail"):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = send(worker_client, case, pro.professional)

    assert response.status_code == HTTPStatus.FOUND
    assert CoordinationRequest.objects.get(case=case).status == CoordinationRequest.Status.SENT
    assert callbacks, "the notice was to be sent after the commit"
    failures = [r for r in caplog.records if r.name == "advocacy.mail"]
    assert [r.getMessage() for r in failures] == [
        "mail not sent: portal request notice (ConnectionRefusedError)"
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "canary-addressee" not in logged
    assert case.number not in logged


def test_a_notice_of_a_change_rolled_back_is_not_sent(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_after_commit(
            lambda: mail.send_mail("s", "b", None, ["x@example.invalid"]), what="test notice"
        )
        raise RuntimeError("the change fails")

    assert mail.outbox == []


def test_a_notice_is_sent_once_its_change_commits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        mail_after_commit(
            lambda: mail.send_mail("s", "b", None, ["x@example.invalid"]), what="test notice"
        )
        assert mail.outbox == []

    assert len(mail.outbox) == 1
