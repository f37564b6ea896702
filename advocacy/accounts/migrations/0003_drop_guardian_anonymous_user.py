"""Remove the "AnonymousUser" row django-guardian created while its setting was misspelt.

Only the row guardian made: that username, never logged in, no usable password, no
organisation. Anonymous visitors must hold no object permissions (docs/decisions.md, 14).
"""

from django.db import migrations


def drop_anonymous_user(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(
        username="AnonymousUser",
        last_login__isnull=True,
        password__startswith="!",  # noqa: S106 - the mark of an unusable password
        organisation__isnull=True,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
    ]

    operations = [
        migrations.RunPython(drop_anonymous_user, migrations.RunPython.noop),
    ]
