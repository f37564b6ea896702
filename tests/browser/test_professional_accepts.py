"""A professional logs in with a password and a TOTP code, and accepts a request."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.access.selectors import VIEW_AS_GUARDIAN, permissions_on
from advocacy.portal import services as portal
from advocacy.portal.models import CoordinationRequest
from tests import factories
from tests.portal.conftest import summary_for
from tests.portal.otp import token_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_professional_logs_in_with_totp_and_accepts(live_server, page, users_by_role):
    worker = users_by_role["city_caseworker"]
    pro = users_by_role["professional"]
    case = factories.case_for(worker, name="ブラウザ 確認者")
    request = portal.request_send(
        actor=worker,
        case=case,
        professional=pro.professional,
        need="legal",
        summary=summary_for(case),
        portal_url="/app/portal/",
    )
    device = TOTPDevice.objects.create(user=pro, name="app", confirmed=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", pro.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.get_by_test_id("otp-title").wait_for()
    page.fill("input[name=token]", token_for(device))
    page.get_by_test_id("otp-submit").click()

    page.locator(f"a[href='/app/portal/requests/{request.pk}/']").first.click()
    page.get_by_text("預貯金の管理").first.wait_for()
    assert "ブラウザ 確認者" not in page.content()  # the summary names nobody
    page.get_by_test_id("accept").click()

    page.wait_for_url(f"{live_server.url}/app/portal/cases/{case.pk}/")
    page.get_by_text("ブラウザ 確認者").first.wait_for()  # now the guardian sees the person
    # SQLite's live server shares this thread's connection: query only once the page is idle.
    page.wait_for_load_state("networkidle")
    request.refresh_from_db()
    assert request.status == CoordinationRequest.Status.ACCEPTED
    assert VIEW_AS_GUARDIAN in permissions_on(user=pro, case=case)


def test_first_login_enrols_the_authenticator_from_the_qr_page(live_server, page, users_by_role):
    pro = users_by_role["professional"]

    page.goto(f"{live_server.url}/app/portal/")
    page.fill("input[name=username]", pro.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.get_by_test_id("otp-qr").wait_for()
    assert "/accounts/otp/enrol/" in page.url
    page.wait_for_load_state("networkidle")
    device = TOTPDevice.objects.get(user=pro, confirmed=False)
    page.fill("input[name=token]", token_for(device))
    page.get_by_test_id("otp-submit").click()

    page.wait_for_url(f"{live_server.url}/app/portal/")
    page.wait_for_load_state("networkidle")
    device.refresh_from_db()
    assert device.confirmed
