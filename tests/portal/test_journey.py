"""The request's whole journey over the real URLs: send, mail, TOTP login, answer, access."""

from __future__ import annotations

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.access.selectors import VIEW_AS_GUARDIAN, permissions_on
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Petition, TeamMember
from advocacy.portal import services
from advocacy.portal.models import CoordinationRequest, RequestMessage
from advocacy.portal.selectors import request_statistics
from advocacy.reference.models import FamilyCourt
from tests import factories

from .conftest import send
from .otp import force_login_verified, token_for

pytestmark = pytest.mark.django_db


def _login_with_totp(user) -> Client:
    """Password login, then enrol the authenticator from the QR page and give a code."""
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    response = client.get("/app/portal/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/accounts/otp/enrol/?next=%2Fapp%2Fportal%2F"
    page = client.get(response.url)
    assert 'src="data:image/svg+xml' in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(response.url, {"token": "000000"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    # A wrong code throttles the device for a moment (django-otp); the test does not wait.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/accounts/otp/enrol/?next=/app/portal/", {"token": token_for(device)})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/app/portal/"
    device.refresh_from_db()
    assert device.confirmed
    return client


def test_request_accept_journey(
    worker, worker_client, case, pro, django_capture_on_commit_callbacks
):
    person = case.person
    TeamMember(
        case=case,
        role="care_manager",
        name="架空 ケアマネ",
        joined_on=datetime.date(2026, 4, 1),
        created_by=worker,
    ).save()

    with django_capture_on_commit_callbacks(execute=True):
        response = send(worker_client, case, pro.professional)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    coordination = CoordinationRequest.objects.get(case=case)
    assert coordination.status == CoordinationRequest.Status.SENT

    # The mail says only that a request waits, and where.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [pro.email]
    text = message.subject + message.body
    assert "/app/portal/" in text
    for secret in (person.name, person.kana, person.address, person.phone, case.number, "試験"):
        assert secret not in text

    client = _login_with_totp(pro)
    home = client.get("/app/portal/").content.decode()
    assert f"/app/portal/requests/{coordination.pk}/" in home
    page = client.get(f"/app/portal/requests/{coordination.pk}/").content.decode()
    assert "預貯金の管理" in page
    assert person.name not in page

    response = client.post(f"/app/portal/requests/{coordination.pk}/", {"action": "accept"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/app/portal/cases/{case.pk}/"
    assert VIEW_AS_GUARDIAN in permissions_on(user=pro, case=case)
    assert AuditEvent.objects.filter(action=Action.ACCESS_GRANTED, object_id=str(case.pk)).exists()

    Petition(
        case=case,
        petitioner_type="relative",
        court=FamilyCourt.objects.get(code="otsu-hikone"),
        created_by=worker,
    ).save()
    page = client.get(response.url).content.decode()
    assert person.name in page
    assert person.address in page
    assert "架空 ケアマネ" in page
    # The court by its name in the list.
    assert "家庭裁判所: 大津家庭裁判所彦根支部" in page
    # Not the consultation notes, the caller, finances or health.
    assert "架空の相談内容" not in page
    assert "架空 一郎" not in page
    assert "収入" not in page and "健康" not in page

    # Answering again: the first answer stands, with a clear message.
    response = client.post(
        f"/app/portal/requests/{coordination.pk}/",
        {"action": "decline", "reason": "capacity"},
        follow=True,
    )
    assert "すでに回答済み" in response.content.decode()
    coordination.refresh_from_db()
    assert coordination.status == CoordinationRequest.Status.ACCEPTED

    # Withdrawing the accepted request takes the access away again.
    response = worker_client.post(
        f"/app/portal/staff/cases/{case.pk}/requests/{coordination.pk}/",
        {"action": "superseded"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert VIEW_AS_GUARDIAN not in permissions_on(user=pro, case=case)
    assert client.get(f"/app/portal/cases/{case.pk}/").status_code == HTTPStatus.NOT_FOUND
    figures = {f.profession: f for f in request_statistics()}
    assert figures["lawyer"].sent == 1
    assert figures["lawyer"].median_answer_hours is not None


def test_decline_with_reason_then_next_candidate(worker_client, case, pro, pro_client, other_pro):
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)

    response = pro_client.post(
        f"/app/portal/requests/{coordination.pk}/",
        {"action": "decline", "reason": "conflict", "note": "利益相反の可能性"},
    )
    assert response.status_code == HTTPStatus.FOUND
    coordination.refresh_from_db()
    assert coordination.status == CoordinationRequest.Status.DECLINED
    assert coordination.decline_reason == "conflict"
    assert coordination.answered_at is not None
    assert VIEW_AS_GUARDIAN not in permissions_on(user=pro, case=case)

    # The next candidate in sequence; the one who declined is not suggested again.
    page = worker_client.get(f"/app/portal/staff/cases/{case.pk}/?need=property").content
    shortlist = page.decode().split('data-testid="shortlist"')[1].split("</ol>")[0]
    assert str(other_pro.professional.pk) in shortlist
    assert "職種が必要な支援に合う" in shortlist
    assert str(pro.professional.pk) not in shortlist
    response = send(worker_client, case, other_pro.professional, need="property")
    assert response.status_code == HTTPStatus.FOUND
    assert CoordinationRequest.objects.filter(case=case).count() == 2
    figures = {f.profession: f for f in request_statistics()}
    assert figures["lawyer"].declined == 1
    assert figures["lawyer"].decline_reasons == {"conflict": 1}


def test_questions_thread_between_candidate_and_caseworker(
    worker, worker_client, case, pro, pro_client
):
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)

    pro_client.post(
        f"/app/portal/requests/{coordination.pk}/",
        {"action": "message", "body": "親族の協力は得られますか"},
    )
    worker_client.post(
        f"/app/portal/staff/cases/{case.pk}/requests/{coordination.pk}/",
        {"action": "message", "body": "遠方の親族が1名います"},
    )

    thread = list(RequestMessage.objects.filter(request=coordination))
    assert [m.from_candidate for m in thread] == [True, False]
    events = AuditEvent.objects.filter(action=Action.PORTAL_REQUEST_MESSAGE).order_by("sequence")
    assert [e.actor_id for e in events] == [pro.pk, worker.pk]
    assert all(e.label == case.number and str(coordination.pk) in e.reason for e in events)
    assert not AuditEvent.objects.filter(action=Action.RECORD_CREATED).exists()
    assert "遠方の親族" in pro_client.get("/app/portal/").content.decode()
    assert (
        "親族の協力"
        in worker_client.get(
            f"/app/portal/staff/cases/{case.pk}/requests/{coordination.pk}/"
        ).content.decode()
    )


def test_expired_request_is_gone_and_audited(worker_client, case, pro, pro_client, settings):
    settings.PORTAL_REQUEST_EXPIRY_DAYS = 3
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)
    assert coordination.due_at - coordination.sent_at == datetime.timedelta(days=3)
    CoordinationRequest.objects.filter(pk=coordination.pk).update(
        due_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = pro_client.get(f"/app/portal/requests/{coordination.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    coordination.refresh_from_db()
    assert coordination.status == CoordinationRequest.Status.EXPIRED
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED).exists()
    # Another candidate may be asked now.
    assert send(worker_client, case, pro.professional).status_code == HTTPStatus.FOUND


def test_sweep_expires_due_requests(worker_client, case, pro):
    send(worker_client, case, pro.professional)
    CoordinationRequest.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))

    assert services.requests_expire() == 1
    assert services.requests_expire() == 0
    assert CoordinationRequest.objects.get().status == CoordinationRequest.Status.EXPIRED


def test_withdrawn_request_is_404_for_the_candidate(worker_client, case, pro, pro_client):
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)
    worker_client.post(
        f"/app/portal/staff/cases/{case.pk}/requests/{coordination.pk}/", {"action": "withdraw"}
    )

    response = pro_client.get(f"/app/portal/requests/{coordination.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert CoordinationRequest.objects.get().status == CoordinationRequest.Status.WITHDRAWN
    event = AuditEvent.objects.get(action=Action.PORTAL_REQUEST_WITHDRAWN)
    assert event.label == case.number
    assert event.reason == f"request {coordination.pk} withdrawn"
    assert not AuditEvent.objects.filter(action=Action.RECORD_UPDATED).exists()


def test_summary_with_the_persons_name_is_refused_naming_the_kind(worker_client, case, pro):
    response = send(
        worker_client,
        case,
        pro.professional,
        main_issues="しけん はなこ さんの財産管理。連絡先 000-0000-0000",
    )

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    html = response.content.decode()
    assert "「ふりがな」" in html and "「電話番号」" in html
    assert "しけん はなこ" not in html.split("要約に")[1][:200]
    assert not CoordinationRequest.objects.exists()
    assert not mail.outbox


def test_second_open_request_for_a_case_is_refused(worker_client, case, pro, other_pro):
    send(worker_client, case, pro.professional)
    response = send(worker_client, case, other_pro.professional)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "回答待ちの依頼があります" in response.content.decode()


def test_otp_verify_for_an_enrolled_professional(pro):
    client = Client()
    device = TOTPDevice.objects.create(user=pro, name="app", confirmed=True)
    client.force_login(pro)

    assert client.get("/app/portal/").url == "/accounts/otp/?next=%2Fapp%2Fportal%2F"
    assert client.post("/accounts/otp/", {"token": "123"}).status_code == 422
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED, label="otp").count() == 1
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/accounts/otp/", {"token": token_for(device)})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/"
    assert client.get("/app/portal/").status_code == HTTPStatus.OK


def test_staff_second_factor_is_optional(worker_client, case, settings, worker):
    assert worker_client.get(f"/app/portal/staff/cases/{case.pk}/").status_code == 200
    settings.ADVOCACY_OTP_FOR_STAFF = True
    assert worker_client.get(f"/app/portal/staff/cases/{case.pk}/").status_code == 302
    force_login_verified(worker_client, worker)
    assert worker_client.get(f"/app/portal/staff/cases/{case.pk}/").status_code == 200


def test_expiry_is_audited_as_expiry_not_as_a_decline(worker_client, case, pro):
    send(worker_client, case, pro.professional)
    CoordinationRequest.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=1))

    assert services.requests_expire() == 1

    assert AuditEvent.objects.filter(action=Action.PORTAL_REQUEST_EXPIRED).count() == 1
    assert not AuditEvent.objects.filter(action=Action.PORTAL_REQUEST_DECLINED).exists()


def test_sending_and_accepting_are_each_audited_once(worker_client, case, pro):
    send(worker_client, case, pro.professional)
    coordination = CoordinationRequest.objects.get(case=case)

    services.request_accept(actor=pro, request=coordination)

    sent = AuditEvent.objects.filter(action=Action.PORTAL_REQUEST_SENT, label=case.number)
    accepted = AuditEvent.objects.filter(action=Action.PORTAL_REQUEST_ACCEPTED)
    assert sent.count() == 1
    assert accepted.count() == 1
