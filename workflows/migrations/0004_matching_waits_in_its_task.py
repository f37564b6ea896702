"""The candidate's answer is awaited in the appointment-coordination task itself.

Until now a sent request left the case at a handle (``await_candidate``) with a 30-day timer
beside it; both nodes are gone (decision 58). A process that waits there today would be
stuck at a node that no longer exists, so its wait becomes the open ``matching`` task again
(the caseworker's, as a new one would be) and its timer is cancelled. Finished tasks of the
old nodes stay as they were: viewflow shows them as obsolete nodes, the history unchanged.
"""

from django.db import migrations
from django.utils import timezone

FLOW = "workflows/coordination.flows.CoordinationFlow"
WAIT = f"{FLOW}.await_candidate"
TIMER = f"{FLOW}.await_candidate__timeout"
MATCHING = f"{FLOW}.matching"


def waits_to_tasks(apps, schema_editor):
    Task = apps.get_model("viewflow", "Task")
    CaseProcess = apps.get_model("workflows", "CaseProcess")
    CaseTask = apps.get_model("workflows", "CaseTask")
    now = timezone.now()
    Task.objects.filter(flow_task=TIMER, status="SCHEDULED").update(status="CANCELED", finished=now)
    for task in Task.objects.filter(flow_task=WAIT, status="NEW"):
        process = CaseProcess.objects.select_related("case__assigned_worker").get(
            pk=task.process_id
        )
        worker = process.case.assigned_worker
        owner = (
            worker
            if worker is not None
            and worker.is_active
            and worker.organisation_id == process.lead_organisation_id
            else None
        )
        task.flow_task = MATCHING
        task.flow_task_type = "HUMAN"
        task.owner = owner
        task.status = "ASSIGNED" if owner else "NEW"
        task.save(update_fields=["flow_task", "flow_task_type", "owner", "status"])
        CaseTask.objects.get_or_create(
            task=task,
            defaults={
                "case_id": process.case_id,
                "organisation_id": process.lead_organisation_id,
                "role": "",
                "status": task.status,
                "owner": owner,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0003_case_task_status_owner"),
    ]

    # Forward only: the old wait cannot be rebuilt from an open task (nothing is lost going
    # back: the task stays open and a later acceptance completes it).
    operations = [migrations.RunPython(waits_to_tasks, migrations.RunPython.noop)]
