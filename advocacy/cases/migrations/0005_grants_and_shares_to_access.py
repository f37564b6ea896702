# The grant and share models now belong to access (access.0001 took them over); the tables
# stay, so only Django's state forgets them here.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_consultation_person_attributes"),
        ("access", "0001_grants_and_shares"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CaseGroupObjectPermission"),
                migrations.DeleteModel(name="CaseShare"),
                migrations.DeleteModel(name="CaseUserObjectPermission"),
            ],
        ),
    ]
