"""The group of the 支援会議 outside members' role (accounts.roles.Role.MEETING_MEMBER)."""

from django.db import migrations

NAME = "meeting_member"


def create_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_drop_guardian_anonymous_user")]
    operations = [migrations.RunPython(create_groups, delete_group)]
