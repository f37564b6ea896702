"""A subsidy computation belongs to the application it computes (decision 95).

Each computation made before this had no application: one is made for it (its kind, date
and amount, still 審査中), so nothing computed is lost and the report counts it once the
caseworker records the decision. The application holds the kind and the date from now on.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def applications_for_assessments(apps, schema_editor):
    Assessment = apps.get_model("court", "SubsidyAssessment")
    Subsidy = apps.get_model("cases", "Subsidy")
    User = apps.get_model("accounts", "User")
    db = schema_editor.connection.alias
    rows = (
        Assessment.objects.using(db)
        .filter(application__isnull=True)
        .values_list(
            "pk",
            "case_id",
            "person_id",
            "kind",
            "applied_on",
            "computed_yen",
            "override_yen",
            "created_by_id",
            "case__organisation_id",
        )
    )
    for pk, case_id, person_id, kind, applied_on, computed, override, by, organisation in rows:
        if by is None:
            # The service always names its actor; should a row lack one, a member of the
            # case's organisation stands as the one who recorded the application.
            by = (
                User.objects.using(db)
                .filter(organisation_id=organisation)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
        application = Subsidy.objects.using(db).create(
            id=uuid.uuid4(),
            case_id=case_id,
            person_id=person_id,
            created_by_id=by,
            kind=kind,
            applied_on=applied_on,
            amount_yen=override if override is not None else computed,
            decision="pending",
        )
        # update(), not save(): the encrypted columns stay as they are.
        Assessment.objects.using(db).filter(pk=pk).update(application_id=application.pk)
    if schema_editor.connection.vendor == "postgresql":
        # The new links are deferred foreign keys: check them now, or the NOT NULL below
        # meets "pending trigger events".
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0016_case_list_index"),
        ("court", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="subsidyassessment",
            name="application",
            field=models.OneToOneField(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessment",
                to="cases.subsidy",
                verbose_name="申請",
            ),
        ),
        migrations.RunPython(applications_for_assessments, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subsidyassessment",
            name="application",
            field=models.OneToOneField(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assessment",
                to="cases.subsidy",
                verbose_name="申請",
            ),
        ),
        migrations.RemoveIndex(
            model_name="subsidyassessment",
            name="court_subsidy_applied_idx",
        ),
        migrations.RemoveField(model_name="subsidyassessment", name="applied_on"),
        migrations.RemoveField(model_name="subsidyassessment", name="kind"),
    ]
