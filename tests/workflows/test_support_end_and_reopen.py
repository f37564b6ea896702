"""The agency's support can end while the guardianship goes on; a closed case can reopen.

Issue 14: guardian support closed only for death, restored capacity or a move, so 「チームの
自立・支援終結」 could not be recorded and cases piled up; and a closed case could never take
a new request from its guardian or team.
"""

import datetime

import pytest
from django.utils import timezone
from viewflow.workflow.status import PROCESS

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Case, Consultation
from advocacy.reference.models import MainConcern
from advocacy.stats import selectors as stats
from tests import factories
from tests.workflows.conftest import open_names, process_of
from workflows.guardian_support.flows import GuardianSupportFlow

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def support(worker, case):
    return GuardianSupportFlow.start.run(case=case, actor=worker)


def _end_support(walker, worker, supervisor, case, reason="team_independent"):
    walker.event(worker, case, "support_end", {"reason": reason})
    assert open_names(case) == ["approve_support_end"]
    walker.step(
        supervisor,
        case,
        "guardiansupport",
        "approve_support_end",
        {"reason": reason, "closed_on": _today().isoformat()},
    )


def _reopen_data(day=None):
    return {
        "consulted_on": (day or _today()).isoformat(),
        "new_or_continuing": "auto",
        "channel": "phone",
        "referrer_type": "guardian",
        "caller": "架空の後見人",
        "main_concerns": [MainConcern.objects.filter(active=True).first().pk],
        "notes": "施設との契約で相談したい",
    }


def test_support_ends_with_the_team_on_its_own_and_the_supervisors_confirmation(
    walker, worker, supervisor, case, support
):
    _end_support(walker, worker, supervisor, case)

    case.refresh_from_db()
    assert case.is_closed
    assert case.closing_reason == Case.ClosingReason.TEAM_INDEPENDENT
    assert case.guardianship_continues
    support.refresh_from_db()
    assert support.status == PROCESS.DONE
    fiscal_year = _today().year if _today().month >= 4 else _today().year - 1
    assert stats.closing_counts(fiscal_year) == {("team_independent", "support_end"): 1}


def test_support_end_offers_only_reasons_where_the_guardianship_goes_on(
    walker, worker, case, support
):
    page = walker.client(worker).get(f"/app/inbox/cases/{case.pk}/event/support_end/")
    choices = {code for code, _label in page.context["form"].fields["reason"].choices}
    assert choices == {"team_independent", "guardian_suffices"}
    ending = walker.client(worker).get(f"/app/inbox/cases/{case.pk}/event/closing/")
    choices = {code for code, _label in ending.context["form"].fields["reason"].choices}
    assert choices == {"death", "capacity_restored", "ended_by_court", "moved_away"}


def test_a_closed_case_reopens_in_guardian_support_with_the_request_as_a_task(
    walker, worker, supervisor, case, support
):
    _end_support(walker, worker, supervisor, case)
    client = walker.client(worker)
    assert 'data-testid="reopen-case"' in client.get(f"/app/cases/{case.pk}/").content.decode()

    response = client.post(f"/app/inbox/cases/{case.pk}/reopen/", _reopen_data())

    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.stage == Case.Stage.GUARDIAN_SUPPORT
    assert case.closed_on is None and case.closing_reason == ""
    assert open_names(case) == ["help"]
    assert process_of(case, "guardiansupport").status != PROCESS.DONE
    reopening = Consultation.objects.filter(case=case).latest("created_at")
    assert reopening.is_new is False  # 継続, derived
    assert not reopening.is_new_by_hand
    assert AuditEvent.objects.filter(action=Action.CASE_REOPENED, object_id=str(case.pk)).exists()
    # The reopened case no longer counts as closed.
    fiscal_year = _today().year if _today().month >= 4 else _today().year - 1
    assert stats.closing_counts(fiscal_year) == {}


def test_a_case_whose_guardianship_ended_reopens_at_consultation(walker, worker, supervisor, case):
    case.stage = Case.Stage.CLOSED
    case.closed_on = _today() - datetime.timedelta(days=30)
    case.closing_reason = Case.ClosingReason.DEATH
    case.save()

    response = walker.client(worker).post(f"/app/inbox/cases/{case.pk}/reopen/", _reopen_data())

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Case.Stage.CONSULTATION
    assert "intake" in open_names(case)


def test_an_open_case_is_not_reopened(walker, worker, case):
    response = walker.client(worker).post(f"/app/inbox/cases/{case.pk}/reopen/", _reopen_data())

    assert response.status_code == 422
    assert "終結していないケースは再開できません" in response.content.decode()
    assert Consultation.objects.filter(case=case).count() == 1  # nothing recorded


def test_a_reopening_dated_before_the_closing_is_refused_and_nothing_is_lost(
    walker, worker, supervisor, case, support
):
    _end_support(walker, worker, supervisor, case)
    before = Consultation.objects.filter(case=case).count()

    response = walker.client(worker).post(
        f"/app/inbox/cases/{case.pk}/reopen/",
        _reopen_data(_today() - datetime.timedelta(days=400)),
    )

    assert response.status_code == 422
    case.refresh_from_db()
    assert case.is_closed
    assert Consultation.objects.filter(case=case).count() == before


def test_another_organisations_worker_cannot_reopen(walker, worker, supervisor, case, support):
    _end_support(walker, worker, supervisor, case)
    outsider = factories.user(Role.COUNCIL_CASEWORKER)

    response = walker.client(outsider).post(f"/app/inbox/cases/{case.pk}/reopen/", _reopen_data())

    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.is_closed
