"""Reopen a closed case when its guardian or team asks for help again (decision 60).

The consultation that asks is recorded on the same case (counted as 継続), and the process
of the stage the case goes back to starts: guardian support, with the request for help as
its first task, when the guardianship went on; the consultation process otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from advocacy.accounts.models import User
from advocacy.cases import services as cases
from advocacy.cases.models import Case, Consultation

from . import events
from .base import CaseFlow
from .guardian_support.flows import GuardianSupportFlow
from .models import CaseProcess
from .processes import process_start


@transaction.atomic(durable=True)
def case_reopen_for_help(
    *,
    actor: User,
    case: Case,
    consultation: Consultation,
    main_concerns: Iterable = (),
) -> CaseProcess:
    """Reopen case with consultation and start the process of the stage it goes back to."""
    cases.case_reopen(actor=actor, case=case, on=consultation.consulted_on)
    cases.record_save(
        actor=actor, case=case, record=consultation, m2m={"main_concerns": list(main_concerns)}
    )
    flow_class = CaseFlow.of_stage(case.stage)
    process = process_start(actor=actor, case=case, flow_class=flow_class)
    if flow_class is GuardianSupportFlow:
        # The consultation is the guardian's or the team's request: it becomes a help task.
        events.guardian_event_report(actor=actor, case=case, event="contact", nested=True)
    return process
