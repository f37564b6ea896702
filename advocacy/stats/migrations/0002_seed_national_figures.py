"""Seed the national figures the committee compares with (Supreme Court, calendar 2024)."""

from decimal import Decimal

from django.db import migrations

SOURCE = "最高裁判所事務総局家庭局「成年後見関係事件の概況」令和6年1月〜12月"
FIGURES = [
    ("petitions", "申立件数（全国）", Decimal("41841"), "件"),
    ("mayor_petition_share", "市区町村長申立の割合（終局事件）", Decimal("23.9"), "%"),
    ("people_under_guardianship", "制度利用者数（年末）", Decimal("253941"), "人"),
    ("dementia_cause_share", "開始原因が認知症の割合", Decimal("61.9"), "%"),
]


def seed(apps, schema_editor):
    NationalFigure = apps.get_model("stats", "NationalFigure")
    for code, label, value, unit in FIGURES:
        NationalFigure.objects.get_or_create(
            code=code,
            year=2024,
            defaults={"label": label, "value": value, "unit": unit, "source": SOURCE},
        )


def unseed(apps, schema_editor):
    apps.get_model("stats", "NationalFigure").objects.filter(
        year=2024, code__in=[code for code, *_rest in FIGURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
