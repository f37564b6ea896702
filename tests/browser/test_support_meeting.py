"""A 支援会議 from agenda to minutes, clicked through in a browser, and its pack read by the
outside member who pledged secrecy (password and TOTP code).

As in the case journey, the test reads the database only while the browsers are idle.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from advocacy.accounts.roles import Role
from advocacy.meetings.models import SECRECY_NOTICE, AgendaItem, Member
from tests import factories
from tests.browser.test_case_journey import _fill
from tests.portal.otp import token_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEETING_PAGE = re.compile(r".*/app/meetings/[0-9a-f-]{36}/$")


def _login(page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")


def _submit(page, form) -> None:
    form.locator("button[type=submit]").click()
    page.wait_for_url(MEETING_PAGE)
    page.wait_for_load_state("networkidle")


def test_a_support_meeting_from_agenda_to_minutes_and_its_pack(live_server, page, browser, city):
    base = live_server.url
    worker = factories.user(Role.CITY_CASEWORKER, organisation=city, username="meeting-worker")
    outside = factories.user(Role.MEETING_MEMBER, username="meeting-outside")
    device = TOTPDevice.objects.create(user=outside, name="app", confirmed=True)
    case = factories.case_for(worker, name="会議 花子", kana="かいぎ はなこ")
    today = timezone.localdate().isoformat()

    _login(page, base, worker)
    page.wait_for_url(f"{base}/app/inbox/")
    page.goto(f"{base}/app/meetings/new/")
    form = page.locator("form.adv-form")
    _fill(form, {"kind": "support", "held_on": today, "place": "第2会議室"})
    _submit(page, form)
    assert str(SECRECY_NOTICE) in page.content()

    # An outside member without a pledge is refused with the reason; with it, added.
    page.locator("summary", has_text="構成員を加える").click()
    members = page.get_by_test_id("member-form")
    member = {
        "is_outside": "on",
        "user": outside.pk,
        "organisation_name": "架空居宅介護支援事業所",
        "organisation_type": "care_management",
        "title": "介護支援専門員",
    }
    _fill(members, member)
    members.locator("button[type=submit]").click()
    page.get_by_text("守秘義務の誓約（誓約日と根拠）を記録してから").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert not Member.objects.exists()
    members = page.get_by_test_id("member-form")
    _fill(members, {**member, "pledged_on": today, "pledge_basis": "swa_106_6"})
    _submit(page, members)
    page.get_by_test_id("members").get_by_text("架空居宅介護支援事業所").wait_for()

    items = page.get_by_test_id("item-form")
    _fill(items, {"case_number": case.number, "briefing": "見守りの分担について（架空）"})
    _submit(page, items)

    page.locator("summary", has_text="日時・会場・次第の送付を変更").click()
    edit = page.locator("form[action$='/edit/']")
    _fill(edit, {"agenda_sent_on": today})
    _submit(page, edit)

    page.locator("[data-testid=members] input[name=present]").first.check()
    page.locator("form[action$='/attendance/'] button[type=submit]").click()
    page.wait_for_url(MEETING_PAGE)

    page.locator(f"li[data-case='{case.number}'] a[href$='/minutes/']").click()
    minutes = page.get_by_test_id("minutes-form")
    minutes.wait_for()
    _fill(minutes, {"minutes": "架空の議事録本文", "decision_text": "週1回の訪問（架空）"})
    _submit(page, minutes)
    page.get_by_test_id("agenda").get_by_text("週1回の訪問（架空）").wait_for()

    # The printed papers: the notice is fixed to the page box, so it repeats on every page.
    page.get_by_test_id("print-link").click()
    page.wait_for_url(re.compile(r".*/app/meetings/[0-9a-f-]{36}/print/$"))
    page.wait_for_load_state("networkidle")
    page.emulate_media(media="print")
    notice = page.get_by_test_id("secrecy-notice")
    assert notice.inner_text() == str(SECRECY_NOTICE)
    # Print emulation restyles the page a moment later: wait for it (fails if never fixed).
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector(\"[data-testid='secrecy-notice']\"))"
        ".position === 'fixed'",
        timeout=10_000,
    )
    assert "令和" in page.content()
    item = AgendaItem.objects.get()
    assert item.minutes == "架空の議事録本文"
    assert Member.objects.get().attended is True

    # The outside member, with password and code, reads the pack of the agenda case.
    outside_context = browser.new_context(locale="ja-JP")
    outside_page = outside_context.new_page()
    outside_page.set_default_timeout(15_000)
    try:
        _login(outside_page, base, outside)
        outside_page.get_by_test_id("otp-title").wait_for()
        outside_page.fill("input[name=token]", token_for(device))
        outside_page.get_by_test_id("otp-submit").click()
        outside_page.wait_for_url(f"{base}/app/meetings/pack/")
        outside_page.get_by_test_id("pack-meetings").locator("a").first.click()
        outside_page.get_by_test_id("pack-agenda").get_by_text("会議 花子").wait_for()
        assert "見守りの分担について（架空）" in outside_page.content()
        assert "架空の議事録本文" not in outside_page.content()
    finally:
        outside_context.close()
