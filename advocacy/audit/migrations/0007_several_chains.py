"""Several audit chains (decision 83): events name their chain; sequence is per chain.

Adding the column with a database default rewrites no event (the append-only trigger refuses
UPDATE): every existing event is in chain 1, hashed as before, and the one existing head is
chain 1's head. Lists order by id, which follows the appends across the chains.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_drop_guardian_anonymous_user"),
        ("audit", "0006_action_choices_of_this_batch"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "verbose_name": "監査記録",
                "verbose_name_plural": "監査記録",
            },
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_content_d7cd55_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_organis_d3cdeb_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_object__150c22_idx",
        ),
        migrations.RemoveIndex(
            model_name="auditevent",
            name="audit_audit_actor_i_7df9f0_idx",
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(
                db_default=1, default=1, editable=False, verbose_name="系列"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, verbose_name="通し番号"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["content_type", "object_id", "id"], name="audit_event_object_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["organisation", "id"], name="audit_event_org_idx"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["object_organisation", "id"], name="audit_event_object_org_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "id"], name="audit_event_actor_idx"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "sequence"), name="audit_event_chain_place"
            ),
        ),
    ]
