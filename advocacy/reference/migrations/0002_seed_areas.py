"""Seed the six areas of 高島市; other deployments edit them in the admin."""

from django.db import migrations

AREAS = [
    ("makino", "マキノ"),
    ("imazu", "今津"),
    ("kutsuki", "朽木"),
    ("adogawa", "安曇川"),
    ("takashima", "高島"),
    ("shinasahi", "新旭"),
]


def seed(apps, schema_editor):
    Area = apps.get_model("reference", "Area")
    for order, (code, name) in enumerate(AREAS, start=1):
        Area.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


def unseed(apps, schema_editor):
    apps.get_model("reference", "Area").objects.filter(code__in=[c for c, _ in AREAS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
