# The committee page recorded its suppression pattern when viewed (decision 34); releases
# (0003) replace it, and the patterns of live views cannot protect a release: they go.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0003_release"),
    ]

    operations = [
        migrations.DeleteModel(
            name="PublishedPattern",
        ),
    ]
