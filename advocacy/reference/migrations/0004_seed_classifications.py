"""Seed today's categories, main concerns and the 2000 guardianship scheme."""

import datetime

from django.db import migrations

CATEGORIES = [
    ("elderly", "高齢者"),
    ("intellectual", "知的障害"),
    ("mental", "精神障害"),
    ("other_disability", "その他の障害"),
]

CONCERNS = [
    ("money", "金銭管理"),
    ("contracts", "介護・医療の契約"),
    ("abuse", "虐待"),
    ("consumer_fraud", "消費者被害"),
    ("housing", "住まい・退去"),
    ("inheritance", "相続・財産処分"),
    ("debt", "借金・債務"),
    ("daily_life", "日常生活の支援"),
    ("other", "その他"),
]

TYPES_2000 = [
    ("guardianship", "後見", False),
    ("curatorship", "保佐", False),
    ("assistance", "補助", False),
    ("voluntary", "任意後見", True),
]


def seed(apps, schema_editor):
    for model, rows in (("PersonCategory", CATEGORIES), ("MainConcern", CONCERNS)):
        Model = apps.get_model("reference", model)
        for order, (code, name) in enumerate(rows, start=1):
            Model.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    Scheme = apps.get_model("reference", "GuardianshipScheme")
    Type = apps.get_model("reference", "GuardianshipType")
    scheme, _ = Scheme.objects.get_or_create(
        code="civil-code-2000",
        defaults={
            "name": "成年後見制度（後見・保佐・補助）",
            "valid_from": datetime.date(2000, 4, 1),
        },
    )
    for order, (code, name, voluntary) in enumerate(TYPES_2000, start=1):
        Type.objects.get_or_create(
            scheme=scheme,
            code=code,
            defaults={"name": name, "voluntary": voluntary, "sort_order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("reference", "GuardianshipType").objects.all().delete()
    apps.get_model("reference", "GuardianshipScheme").objects.all().delete()
    apps.get_model("reference", "MainConcern").objects.all().delete()
    apps.get_model("reference", "PersonCategory").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0003_classifications")]
    operations = [migrations.RunPython(seed, unseed)]
