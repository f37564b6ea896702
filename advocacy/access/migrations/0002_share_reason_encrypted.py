"""A share's reason is encrypted under the case's person (decision 62).

It was the one free-text column left in clear (the schema test, decision 44, listed it as a
known gap). The share gains the person whose data key encrypts it; each existing reason is
moved from the clear column into the encrypted one, then the clear column goes. Going back
decrypts them into the clear column again.
"""

import django.db.models.deletion
from django.db import migrations, models

import advocacy.crypto.fields


def _current():
    # The model as it is now: its encrypted field needs the class's encryption owner, which
    # a historical model does not carry. Nothing after this migration changes CaseShare.
    from advocacy.access.models import CaseShare

    return CaseShare


def clear_to_encrypted(apps, schema_editor):
    Historical = apps.get_model("access", "CaseShare")
    Current = _current()
    for old in Historical.objects.select_related("case").iterator():
        share = Current.objects.get(pk=old.pk)
        share.person_id = old.case.person_id
        share.reason = old.reason_clear
        share.save(update_fields=["person", "reason"])


def encrypted_to_clear(apps, schema_editor):
    Historical = apps.get_model("access", "CaseShare")
    for share in _current().objects.iterator():
        Historical.objects.filter(pk=share.pk).update(reason_clear=share.reason or "")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_grants_and_shares"),
        ("cases", "0013_support_end_and_reopening"),
    ]

    operations = [
        migrations.RenameField("caseshare", "reason", "reason_clear"),
        migrations.AlterField(
            model_name="caseshare",
            name="reason_clear",
            field=models.CharField(max_length=200, default="", blank=True),
        ),
        migrations.AddField(
            model_name="caseshare",
            name="person",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.person",
            ),
        ),
        migrations.AddField(
            model_name="caseshare",
            name="reason",
            field=advocacy.crypto.fields.EncryptedCharField(
                max_length=200, null=True, verbose_name="理由"
            ),
        ),
        migrations.RunPython(clear_to_encrypted, encrypted_to_clear),
        migrations.AlterField(
            model_name="caseshare",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="cases.person"
            ),
        ),
        migrations.AlterField(
            model_name="caseshare",
            name="reason",
            field=advocacy.crypto.fields.EncryptedCharField(max_length=200, verbose_name="理由"),
        ),
        migrations.RemoveField("caseshare", "reason_clear"),
    ]
