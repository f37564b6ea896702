"""Consultations keep the person's age band on the consultation day (for the statistics).

Existing consultations take the band stored on their person, the only clear value a migration
can read (birth dates are encrypted); `manage.py consultation_age_bands` recomputes them from
the birth dates, and each is recomputed when next saved.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_person_band(apps, schema_editor):
    Consultation = apps.get_model("cases", "Consultation")
    Person = apps.get_model("cases", "Person")
    band = Person.objects.filter(pk=OuterRef("person_id")).values("age_band")[:1]
    Consultation.objects.update(age_band=Subquery(band))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_stats_indexes"),
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
            name="age_band",
            field=models.CharField(
                blank=True, editable=False, max_length=8, verbose_name="相談時の年齢階級"
            ),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                fields=["consulted_on"],
                include=("is_new", "referrer_type", "age_band", "person", "id"),
                name="cases_consultation_on_idx",
            ),
        ),
        migrations.RunPython(copy_person_band, migrations.RunPython.noop, elidable=True),
    ]
