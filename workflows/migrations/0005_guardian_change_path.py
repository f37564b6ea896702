"""A guardian change runs its own path in guardian support (decision 59).

It used to end the guardian's appointment (``guardian_end``) and send the case back to
coordination. An open ``guardian_end`` task becomes the new path's first step
(``change_record``), in the same process, for the same worker; finished ones stay history.
"""

from django.db import migrations

FLOW = "workflows/guardian_support.flows.GuardianSupportFlow"


def open_ends_to_change_records(apps, schema_editor):
    Task = apps.get_model("viewflow", "Task")
    Task.objects.filter(flow_task=f"{FLOW}.guardian_end", status__in=["NEW", "ASSIGNED"]).update(
        flow_task=f"{FLOW}.change_record"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0004_matching_waits_in_its_task"),
    ]

    operations = [migrations.RunPython(open_ends_to_change_records, migrations.RunPython.noop)]
