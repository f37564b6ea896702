"""Create one group per role. Roles carry no model-wide permission on case data."""

from django.db import migrations

ROLE_NAMES = [
    "city_caseworker",
    "council_caseworker",
    "supervisor",
    "professional",
    "committee_member",
    "system_admin",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, delete_groups)]
