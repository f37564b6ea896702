"""Seed the acts powers are granted for under the 2000 scheme (the petition's 代理行為目録)."""

from django.db import migrations

# (code, name). Codes are what `manage.py petition_acts_from_text` maps recorded words to.
ACTS_2000 = [
    ("all_property", "財産に関するすべての法律行為（後見）"),
    ("deposits", "預貯金の管理・払戻し"),
    ("real_estate", "不動産の管理・処分"),
    ("care_contracts", "介護・福祉サービスの契約"),
    ("medical_contracts", "医療・入院の契約"),
    ("facility_admission", "施設への入所の契約"),
    ("housing_lease", "住まいの賃貸借契約"),
    ("public_benefits", "年金・福祉・税の申請と手続"),
    ("inheritance", "相続の承認・放棄・遺産分割"),
    ("litigation", "訴訟行為"),
    ("borrowing", "借財・保証"),
]


def seed(apps, schema_editor):
    Scheme = apps.get_model("reference", "GuardianshipScheme")
    Act = apps.get_model("reference", "GrantedAct")
    scheme = Scheme.objects.filter(code="civil-code-2000").first()
    if scheme is None:
        return
    for order, (code, name) in enumerate(ACTS_2000, start=1):
        Act.objects.get_or_create(
            scheme=scheme, code=code, defaults={"name": name, "sort_order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("reference", "GrantedAct").objects.filter(
        scheme__code="civil-code-2000", code__in=[code for code, _name in ACTS_2000]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0007_scheme_validity_and_acts")]
    operations = [migrations.RunPython(seed, unseed)]
