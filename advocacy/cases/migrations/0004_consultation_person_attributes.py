"""Consultations keep the person's sex, household and area as they were (for the statistics).

Existing consultations take their person's present values, the best a migration can know.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_person_attributes(apps, schema_editor):
    Consultation = apps.get_model("cases", "Consultation")
    Person = apps.get_model("cases", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Consultation.objects.update(
        sex=Subquery(person.values("sex")[:1]),
        household_type=Subquery(person.values("household_type")[:1]),
        area_id=Subquery(person.values("area_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_consultation_age_band"),
        ("reference", "0004_seed_classifications"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="consultation",
            name="cases_consultation_on_idx",
        ),
        migrations.AddField(
            model_name="consultation",
            name="area",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reference.area",
                verbose_name="相談時の地域",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="household_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("alone", "単身"),
                    ("elderly_couple", "高齢者のみ世帯"),
                    ("with_family", "家族と同居"),
                    ("other", "その他"),
                ],
                editable=False,
                max_length=16,
                verbose_name="相談時の世帯",
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="sex",
            field=models.CharField(
                blank=True,
                choices=[
                    ("female", "女性"),
                    ("male", "男性"),
                    ("other", "その他"),
                    ("unknown", "不明"),
                ],
                editable=False,
                max_length=16,
                verbose_name="相談時の性別",
            ),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                fields=["consulted_on"],
                include=(
                    "is_new",
                    "referrer_type",
                    "age_band",
                    "sex",
                    "household_type",
                    "area",
                    "person",
                    "id",
                ),
                name="cases_consultation_on_idx",
            ),
        ),
        migrations.RunPython(copy_person_attributes, migrations.RunPython.noop, elidable=True),
    ]
