"""Start a case's consultation process: when the case is opened, or from the case page.

Sits above the consultation flow (it names it); ``workflows.apps`` registers
``consultation_start`` as the ``cases.hooks.on_case_opened`` hook.
"""

from __future__ import annotations

from django.db import transaction

from advocacy.accounts.models import User
from advocacy.cases.models import Case
from workflows.consultation.flows import ConsultationFlow
from workflows.models import CaseProcess
from workflows.processes import process_start


# Not durable: opening a case calls this inside case_open's transaction (cases.hooks).
@transaction.atomic
def consultation_start(*, actor: User, case: Case) -> CaseProcess:
    """Start the consultation process of case (intake → triage)."""
    return process_start(actor=actor, case=case, flow_class=ConsultationFlow)
