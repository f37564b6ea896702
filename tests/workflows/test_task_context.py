"""Task pages carry their context: the case in short, its deadlines and last decision, and the
record the step is about."""

import pytest

from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Consultation
from tests.workflows.conftest import open_task
from tests.workflows.test_coordination import _assess_and_decide

pytestmark = pytest.mark.django_db


def test_the_intake_confirmation_shows_the_intake_and_audits_what_it_decrypted(
    walker, worker, case
):
    walker.start(worker, case)
    consultation = Consultation.objects.get(case=case)

    page = walker.task_form(worker, open_task(case, "consultation", "intake"))

    html = page.content.decode()
    assert 'data-testid="task-shown"' in html
    assert consultation.notes in html and consultation.caller in html
    event = AuditEvent.objects.filter(action=Action.CASE_VIEWED, actor=worker).latest("sequence")
    assert "Consultation.notes" in event.fields_read


def test_every_task_page_shows_the_case_in_short_and_links_to_it(walker, worker, case):
    walker.start(worker, case)
    walker.step(worker, case, "consultation", "intake")
    walker.step(worker, case, "consultation", "triage", {"outcome": "coordination"})
    _assess_and_decide(walker, worker, case, "guardianship", "relative")

    html = walker.task_form(worker, open_task(case, "coordination", "petitioner")).content.decode()

    assert f'href="/app/cases/{case.pk}/"' in html
    assert 'data-testid="case-stage"' in html and "支援調整・受任調整" in html
    assert case.person.age_band in html
    assert "成年後見制度の利用" in html  # the last decision
    assert 'data-testid="case-deadlines"' in html
