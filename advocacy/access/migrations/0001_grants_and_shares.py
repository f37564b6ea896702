# The grant and share models move from cases to access, where the rules that read them are.
# Only Django's state changes: the tables keep their names and their rows.
import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("cases", "0004_consultation_person_attributes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="CaseGroupObjectPermission",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "content_object",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="cases.case"
                            ),
                        ),
                        (
                            "group",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="auth.group"
                            ),
                        ),
                        (
                            "permission",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="auth.permission"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_casegroupobjectpermission",
                        "abstract": False,
                        "unique_together": {("group", "permission", "content_object")},
                    },
                ),
                migrations.CreateModel(
                    name="CaseShare",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("consent", "本人の同意"),
                                    ("support_meeting", "支援会議（守秘義務あり）"),
                                    ("contract", "委託契約に基づく共有"),
                                ],
                                max_length=24,
                                verbose_name="根拠",
                            ),
                        ),
                        ("reason", models.CharField(max_length=200, verbose_name="理由")),
                        ("shared_at", models.DateTimeField(auto_now_add=True)),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="shares",
                                to="cases.case",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="shared_cases",
                                to="accounts.organisation",
                            ),
                        ),
                        (
                            "shared_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_caseshare",
                        "verbose_name": "ケースの共有",
                        "verbose_name_plural": "ケースの共有",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("revoked_at__isnull", True)),
                                fields=("case", "organisation"),
                                name="one_active_share_per_organisation",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="CaseUserObjectPermission",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "content_object",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="cases.case"
                            ),
                        ),
                        (
                            "permission",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="auth.permission"
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "cases_caseuserobjectpermission",
                        "abstract": False,
                        "indexes": [
                            models.Index(
                                fields=["user", "permission", "content_object"],
                                name="cases_caseu_user_id_b27108_idx",
                            )
                        ],
                        "unique_together": {("user", "permission", "content_object")},
                    },
                ),
            ],
        ),
    ]
