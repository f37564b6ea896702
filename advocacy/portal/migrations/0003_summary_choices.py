"""The request's summary categories become choices (issue 15): nothing typed stays clear.

- age_band: the five-year bands of the statistics ("80-84"); a stored value that is not
  one of them is emptied.
- category (typed text, e.g. 「高齢者、知的障害」) → categories, the reference list: each
  listed name found in the text is kept, the rest of the text is not.
- type_sought (a type's name) → a reference to the type of that name (the active one
  first, then the newest scheme); a name that matches none leaves it empty.
- profession: the choices of accounts.Professional (values unchanged).

Like cases.0010, what names nothing on a list is not kept anywhere (decision 43); the
migration prints the counts, never the text.
"""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

BANDS = {f"{low}-{low + 4}" for low in range(0, 105, 5)}


def _words(text):
    text = unicodedata.normalize("NFKC", text or "")
    return {word for word in re.split(r"[\s、,，・/／]+", text) if word}


def to_choices(apps, schema_editor):
    Request = apps.get_model("portal", "CoordinationRequest")
    Category = apps.get_model("reference", "PersonCategory")
    Type = apps.get_model("reference", "GuardianshipType")
    categories = {name: pk for pk, name in Category.objects.values_list("pk", "name")}
    types = {}
    for pk, name in Type.objects.order_by("active", "scheme__valid_from", "pk").values_list(
        "pk", "name"
    ):
        types[unicodedata.normalize("NFKC", name)] = pk  # the last one wins: active, newest
    dropped = {"age_band": 0, "category": 0, "type_sought": 0}
    rows = Request.objects.values_list("pk", "age_band", "category_text", "type_sought_text")
    for pk, age_band, category_text, type_text in list(rows):
        update = {}
        if age_band not in BANDS:
            update["age_band"] = ""
            dropped["age_band"] += age_band != ""
        words = _words(category_text)
        chosen = [categories[word] for word in words if word in categories]
        dropped["category"] += len(words) - len(chosen)
        if chosen:
            Request.objects.get(pk=pk).categories.set(chosen)
        sought = types.get(unicodedata.normalize("NFKC", type_text or "").strip())
        if sought is not None:
            update["type_sought"] = sought
        else:
            dropped["type_sought"] += bool(type_text)
        if update:
            Request.objects.filter(pk=pk).update(**update)
    if any(dropped.values()):
        counts = ", ".join(f"{name} {count}" for name, count in dropped.items())
        print(f"\n  portal.0003: values naming nothing listed were not kept: {counts}.")


def to_text(apps, schema_editor):
    Request = apps.get_model("portal", "CoordinationRequest")
    # Clear columns only (values, update): nothing here decrypts.
    for pk, type_name in list(Request.objects.values_list("pk", "type_sought__name")):
        names = Request.categories.through.objects.filter(coordinationrequest_id=pk)
        Request.objects.filter(pk=pk).update(
            category_text="、".join(names.values_list("personcategory__name", flat=True)),
            type_sought_text=type_name or "",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_candidate_languages_specialities"),
        ("reference", "0004_seed_classifications"),
    ]

    operations = [
        migrations.RenameField(
            model_name="coordinationrequest", old_name="category", new_name="category_text"
        ),
        migrations.RenameField(
            model_name="coordinationrequest", old_name="type_sought", new_name="type_sought_text"
        ),
        migrations.AlterField(
            model_name="coordinationrequest",
            name="type_sought_text",
            field=models.CharField(blank=True, default="", max_length=50),
        ),
        migrations.AddField(
            model_name="coordinationrequest",
            name="categories",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="reference.personcategory",
                verbose_name="本人の区分",
            ),
        ),
        migrations.AddField(
            model_name="coordinationrequest",
            name="type_sought",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="reference.guardianshiptype",
                verbose_name="想定する類型",
            ),
        ),
        migrations.RunPython(to_choices, to_text),
        migrations.RemoveField(model_name="coordinationrequest", name="category_text"),
        migrations.RemoveField(model_name="coordinationrequest", name="type_sought_text"),
        migrations.AlterField(
            model_name="coordinationrequest",
            name="age_band",
            field=models.CharField(
                choices=[
                    ("0-4", "0〜4歳"),
                    ("5-9", "5〜9歳"),
                    ("10-14", "10〜14歳"),
                    ("15-19", "15〜19歳"),
                    ("20-24", "20〜24歳"),
                    ("25-29", "25〜29歳"),
                    ("30-34", "30〜34歳"),
                    ("35-39", "35〜39歳"),
                    ("40-44", "40〜44歳"),
                    ("45-49", "45〜49歳"),
                    ("50-54", "50〜54歳"),
                    ("55-59", "55〜59歳"),
                    ("60-64", "60〜64歳"),
                    ("65-69", "65〜69歳"),
                    ("70-74", "70〜74歳"),
                    ("75-79", "75〜79歳"),
                    ("80-84", "80〜84歳"),
                    ("85-89", "85〜89歳"),
                    ("90-94", "90〜94歳"),
                    ("95-99", "95〜99歳"),
                    ("100-104", "100〜104歳"),
                ],
                max_length=8,
                verbose_name="年齢階級",
            ),
        ),
        migrations.AlterField(
            model_name="coordinationrequest",
            name="profession",
            field=models.CharField(
                choices=[
                    ("lawyer", "弁護士"),
                    ("judicial_scrivener", "司法書士"),
                    ("social_worker", "社会福祉士"),
                    ("administrative_scrivener", "行政書士"),
                    ("citizen_guardian", "市民後見人"),
                    ("corporate", "法人後見"),
                ],
                editable=False,
                max_length=32,
                verbose_name="職種",
            ),
        ),
    ]
