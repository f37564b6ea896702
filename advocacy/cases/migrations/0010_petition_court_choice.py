"""The petition's court becomes a choice from reference.FamilyCourt (decision 43).

The free text is mapped to the list where it names a listed court in some spelling (full-
or half-width, spaces, 「家裁」 for 「家庭裁判所」, 「本庁」). Text that names no listed court is
not kept anywhere: the column was clear, and what it held cannot be vouched for. Such a
petition is left without a court (court IS NULL with filed_on set finds them), and the
migration prints how many there were — a count, never the text.
"""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models


def _canonical(text):
    text = "".join(unicodedata.normalize("NFKC", text or "").split())
    text = text.replace("家裁", "家庭裁判所").replace("(本庁)", "").replace("本庁", "")
    return text


def court_from_text(apps, schema_editor):
    Petition = apps.get_model("cases", "Petition")
    Court = apps.get_model("reference", "FamilyCourt")
    courts = {_canonical(name): pk for pk, name in Court.objects.values_list("pk", "name")}
    unmapped = 0
    for pk, text in list(Petition.objects.values_list("pk", "court_text")):
        canonical = _canonical(text)
        if not canonical:
            continue
        court = courts.get(canonical) or courts.get(f"{canonical}家庭裁判所")
        if court is None:
            unmapped += 1
            continue
        Petition.objects.filter(pk=pk).update(court=court)
    if unmapped:
        print(f"\n  cases.0010: {unmapped} petition(s) named no listed court; court left empty.")


def court_to_text(apps, schema_editor):
    Petition = apps.get_model("cases", "Petition")
    for pk, name in Petition.objects.filter(court__isnull=False).values_list("pk", "court__name"):
        Petition.objects.filter(pk=pk).update(court_text=name)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_consultation_new_by_rule"),
        ("reference", "0006_seed_family_courts"),
    ]

    operations = [
        migrations.RenameField(model_name="petition", old_name="court", new_name="court_text"),
        migrations.AlterField(
            model_name="petition",
            name="court_text",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AddField(
            model_name="petition",
            name="court",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reference.familycourt",
                verbose_name="家庭裁判所",
            ),
        ),
        migrations.RunPython(court_from_text, court_to_text),
        migrations.RemoveField(model_name="petition", name="court_text"),
    ]
