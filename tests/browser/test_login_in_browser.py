import pytest

from advocacy.accounts.roles import Role
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_logs_in_and_sees_the_inbox(live_server, page, city):
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city, username="browser-worker")

    page.goto(f"{live_server.url}/")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_server.url}/app/inbox/")
    assert page.locator("[data-testid=home-title]").inner_text() == "受信箱"
    assert city.name in page.content() or str(city) in page.content()


def test_wrong_password_shows_an_error_in_japanese(live_server, page, city):
    factories.user(Role.CITY_CASEWORKER, organisation=city, username="browser-worker2")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "browser-worker2")
    page.fill("input[name=password]", "wrong-password-123")
    page.click("button[type=submit]")

    # viewflow submits forms through Turbo, which swaps the page in place on a 422.
    error = page.get_by_text("正しいユーザー名とパスワードを入力してください")
    error.first.wait_for()
    assert error.count() >= 1
    assert page.url.endswith("/accounts/login/")
