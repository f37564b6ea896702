"""A computation keeps the kind of the application it computed (decision 114).

Every computation so far was made of its application as it stands (the service replaced it
on each computation), so each takes its application's present kind.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def kinds_from_applications(apps, schema_editor):
    Assessment = apps.get_model("court", "SubsidyAssessment")
    Subsidy = apps.get_model("cases", "Subsidy")
    db = schema_editor.connection.alias
    Assessment.objects.using(db).update(
        kind=Subquery(
            Subsidy.objects.using(db).filter(pk=OuterRef("application_id")).values("kind")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_case_list_index"),
        ("court", "0002_assessment_of_application"),
    ]

    operations = [
        migrations.AddField(
            model_name="subsidyassessment",
            name="kind",
            field=models.CharField(
                choices=[("petition_cost", "申立費用"), ("guardian_fee", "後見人等報酬")],
                default="",
                editable=False,
                max_length=16,
                verbose_name="算定した申請の種別",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(kinds_from_applications, migrations.RunPython.noop),
    ]
