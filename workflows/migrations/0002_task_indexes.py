"""Indexes on viewflow's task table that our inbox and queue queries need.

Measured at 100k processes / 1M tasks (docs/workflows.md): (owner, status) serves the
inbox, (status, created) the queue, (owner, created) the archive. viewflow's own
migrations do not create them, so they are added here by name.
"""

from django.db import migrations

INDEXES = {
    "workflows_task_owner_status": "owner_id, status",
    "workflows_task_status_created": "status, created",
    "workflows_task_owner_created": "owner_id, created",
}


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON viewflow_task ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
