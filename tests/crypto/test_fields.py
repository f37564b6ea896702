import datetime
import decimal
import uuid

import pytest
from django import forms
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.forms import modelform_factory
from django.template import Context, Template
from django.test.utils import isolate_apps

from advocacy.crypto.exceptions import EncryptedLookupError, EncryptionError
from advocacy.crypto.fields import Ciphertext, EncryptedTextField
from tests import factories
from tests.crypto.conftest import fresh
from tests.testapp.models import Owner, Record

pytestmark = pytest.mark.django_db


def raw_column(model, column: str, pk: uuid.UUID):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        row = cursor.fetchone()
    return None if row[0] is None else bytes(row[0])


def test_every_field_type_round_trips():
    owner = factories.owner()
    record = factories.record(owner)

    got = fresh(record)

    assert got.text == "本人の相談内容"
    assert got.day == datetime.date(2024, 4, 1)
    assert got.amount == decimal.Decimal("1234.50")
    assert got.count == 7
    assert got.data == {"続柄": "長女", "連絡": ["電話", "手紙"]}
    assert fresh(owner).birth_date == datetime.date(1950, 1, 2)


def test_values_stay_encrypted_until_read():
    record = factories.record(factories.owner())

    got = fresh(record)

    assert type(got.__dict__["text"]) is Ciphertext
    assert got.text == "本人の相談内容"
    assert got.__dict__["text"] == "本人の相談内容"


def test_none_stays_null_and_empty_string_is_encrypted():
    record = factories.record(factories.owner(), text="", note=None, data=None, count=None)

    assert raw_column(Record, "note", record.pk) is None
    assert raw_column(Record, "data", record.pk) is None
    stored = raw_column(Record, "text", record.pk)
    assert stored is not None and len(stored) > 16
    got = fresh(record)
    assert got.text == ""
    assert got.note is None and got.data is None and got.count is None


def test_each_save_uses_a_fresh_nonce():
    owner = factories.owner()
    first = raw_column(Owner, "name", owner.pk)

    owner.save()

    assert raw_column(Owner, "name", owner.pk) != first


def test_isnull_is_the_one_lookup_that_works():
    owner = factories.owner()
    factories.record(owner, note=None)
    factories.record(owner, note="x")

    assert Record.objects.filter(note__isnull=True).count() == 1
    assert Record.objects.exclude(note__isnull=True).count() == 1
    assert Owner.objects.filter(
        Exists(Record.objects.filter(owner=OuterRef("pk"), note__isnull=True))
    ).exists()


@pytest.mark.parametrize(
    "lookup",
    [
        {"name": "山田 太郎"},
        {"name__exact": "山田 太郎"},
        {"name__icontains": "山田"},
        {"name__in": ["山田 太郎"]},
        {"birth_date__year": 1950},
        {"birth_date__gt": datetime.date(1900, 1, 1)},
    ],
)
def test_other_lookups_raise_instead_of_matching_nothing(lookup):
    factories.owner()

    with pytest.raises(FieldError, match="encrypted"):
        Owner.objects.filter(**lookup).count()


def test_json_key_lookups_raise():
    with pytest.raises(EncryptedLookupError):
        Record.objects.filter(data__続柄="長女").count()


@pytest.mark.parametrize("ordering", ["name", "-birth_date", "owner__name"])
def test_order_by_an_encrypted_field_raises(ordering):
    owner = factories.owner()
    factories.record(owner)
    model = Record if ordering.startswith("owner__") else Owner

    with pytest.raises(EncryptedLookupError, match="cannot be sorted"):
        list(model.objects.order_by(ordering))


def test_update_and_bulk_update_refuse_plaintext():
    owner = factories.owner()
    record = factories.record(owner)
    record.text = "平文"

    with pytest.raises(EncryptionError, match=r"Model\.save"), transaction.atomic():
        Record.objects.filter(pk=record.pk).update(text="平文")
    with pytest.raises(EncryptionError), transaction.atomic():
        Record.objects.bulk_update([record], ["text"])
    Record.objects.filter(pk=record.pk).update(text=None)

    assert fresh(record).text is None


def test_the_owner_must_be_set_before_saving():
    with pytest.raises(Exception, match="owner"):
        Record(text="x").save()


def test_model_form_uses_plain_form_fields_and_validates_plaintext():
    owner = factories.owner()
    form_class = modelform_factory(
        Record, fields=["owner", "text", "day", "amount", "count", "data", "note"]
    )
    base = {
        "owner": owner.pk,
        "day": "2024-05-06",
        "amount": "12.30",
        "count": "4",
        "data": '{"a": 1}',
        "note": "",
    }

    form = form_class(data={**base, "text": "あ" * 2001})

    assert isinstance(form.fields["day"], forms.DateField)
    assert isinstance(form.fields["amount"], forms.DecimalField)
    assert isinstance(form.fields["count"], forms.IntegerField)
    assert isinstance(form.fields["data"], forms.JSONField)
    assert isinstance(form.fields["text"].widget, forms.Textarea)
    assert not form.is_valid()
    assert "text" in form.errors
    form = form_class(data={**base, "text": "あ" * 2000})
    assert form.is_valid(), form.errors
    saved = fresh(form.save())
    assert saved.text == "あ" * 2000
    assert saved.day == datetime.date(2024, 5, 6)
    assert saved.data == {"a": 1}


def test_edit_form_shows_the_decrypted_values():
    owner = factories.owner()
    form_class = modelform_factory(Owner, fields=["name", "kana", "birth_date"])

    html = str(form_class(instance=fresh(owner)))

    assert "山田 太郎" in html
    assert isinstance(form_class.base_fields["name"].widget, forms.TextInput)


def test_full_clean_checks_the_plaintext():
    owner = factories.owner()
    owner.name = "x" * 101

    with pytest.raises(ValidationError) as info:
        owner.full_clean()

    assert "name" in info.value.message_dict


def test_templates_render_decrypted_values():
    owner = factories.owner()

    html = Template("{{ o.name }} {{ o.birth_date|date:'Y' }}").render(Context({"o": fresh(owner)}))

    assert html == "山田 太郎 1950"


def test_decimal_is_rounded_like_a_plain_decimal_column():
    record = factories.record(factories.owner(), amount=decimal.Decimal("1.005"))

    assert fresh(record).amount == decimal.Decimal("1.00") or fresh(
        record
    ).amount == decimal.Decimal("1.01")


@pytest.mark.parametrize("option", ["unique", "db_index", "primary_key"])
def test_indexes_and_constraints_on_ciphertext_are_refused(option):
    with pytest.raises(ImproperlyConfigured, match=option):
        EncryptedTextField(**{option: True})


@isolate_apps("tests.testapp")
def test_model_without_uuid_pk_is_refused():
    with pytest.raises(ImproperlyConfigured, match="UUIDField"):

        class Bad(models.Model):  # noqa: DJ008
            encryption_owner = "pk"
            secret = EncryptedTextField()

            class Meta:
                app_label = "testapp"


@isolate_apps("tests.testapp")
def test_model_without_encryption_owner_is_refused():
    with pytest.raises(ImproperlyConfigured, match="encryption_owner"):

        class Bad(models.Model):  # noqa: DJ008
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            secret = EncryptedTextField()

            class Meta:
                app_label = "testapp"


@isolate_apps("tests.testapp")
def test_encryption_owner_must_be_a_column():
    with pytest.raises(ImproperlyConfigured, match="person_id"):

        class Bad(models.Model):  # noqa: DJ008
            encryption_owner = "person_id"
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)
            secret = EncryptedTextField()

            class Meta:
                app_label = "testapp"
