"""The demo a newcomer starts with `make run`: loaded twice without harm, its committee
login sees released figures at once."""

import pytest
from django.core.management import call_command
from django.test import Client

from advocacy.accounts.models import User
from advocacy.cases.models import Case
from advocacy.demo import ledger as demo_ledger
from advocacy.ledger.models import LedgerCase
from advocacy.meetings.models import Meeting
from advocacy.stats.models import Release

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_loads_twice_and_the_committee_sees_a_release(settings):
    settings.DEBUG = True

    call_command("load_demo", verbosity=0)
    cases = Case.objects.count()
    meetings = Meeting.objects.count()
    call_command("load_demo", verbosity=0)

    assert cases > 0 and Case.objects.count() == cases
    # The demo's meetings: loaded once, a 支援会議 whose pack the outside member can open.
    assert Meeting.objects.count() == meetings
    support = Meeting.objects.get(kind=Meeting.Kind.SUPPORT)
    assert support.items.exists() and support.members.filter(is_outside=True).exists()
    # The old Excel ledger came in once, and not again on the second load.
    assert LedgerCase.objects.count() == len(demo_ledger.ROWS)
    assert Release.objects.count() == 1
    client = Client()
    client.force_login(User.objects.get(username="committee1"))
    page = client.get("/app/stats/").content.decode()
    assert "まだ公表されていません" not in page
    assert "第1版" in page
