"""The one place tests make objects; every name here is invented."""

from __future__ import annotations

import datetime
import decimal
import itertools

from faker import Faker

from advocacy.accounts.models import Organisation, User
from advocacy.accounts.roles import Role
from advocacy.accounts.services import organisation_create, professional_create, user_create

fake = Faker("ja_JP")
_serial = itertools.count(1)

PASSWORD = "test-password-for-everyone-2026"


def organisation(kind: str = Organisation.Kind.CITY_OFFICE, name: str | None = None):
    return organisation_create(name=name or f"テスト組織{next(_serial)}", kind=kind)


def user(
    *roles: Role,
    organisation: Organisation | None = None,
    username: str | None = None,
    password: str = PASSWORD,
) -> User:
    return user_create(
        username=username or f"user{next(_serial)}",
        password=password,
        organisation=organisation,
        roles=roles,
        last_name=fake.last_name(),
        first_name=fake.first_name(),
        email=f"user{next(_serial)}@example.invalid",
    )


def professional_user(profession: str = "lawyer", organisation: Organisation | None = None) -> User:
    account = user(Role.PROFESSIONAL, organisation=organisation)
    professional_create(
        user=account,
        profession=profession,
        registration_body="テスト弁護士会",
        area_codes=["takashima"],
    )
    return account


def person_data(**overrides):
    """Plain values for a new person; every name is invented."""
    from advocacy.reference.models import Area

    data = {
        "name": "試験 花子",
        "kana": "しけん はなこ",
        "birth_date": datetime.date(1940, 5, 6),
        "sex": "female",
        "address": "架空県架空市1-2-3",
        "phone": "000-0000-0000",
        "area": Area.objects.get(code="takashima"),
        "living_situation": "home",
        "household_type": "alone",
    }
    data.update(overrides)
    return data


def case_for(
    worker,
    *,
    person=None,
    consulted_on=None,
    is_new=None,
    referrer_type="care_manager",
    caller="架空 一郎",
    notes="架空の相談内容",
    categories=(),
    concerns=(),
    purpose="core_agency",
    feedback_consent="not_asked",
    intake=False,
    **person_overrides,
):
    """Open a case through the service, as worker (who is granted it).

    intake: open it as the intake screen does (``case_intake``: the consultation process
    starts and feedback to the referrer follows the consent), not with ``case_open`` alone.

    person: a Person already registered, to open a further case for the same person; otherwise
    a new one from person_data(**person_overrides). categories and concerns are codes.
    is_new: None lets the service derive 新規/継続; True or False sets it by hand.
    """
    from advocacy.cases.models import Consultation, Person
    from advocacy.cases.services import case_intake, case_open
    from advocacy.reference.models import MainConcern, PersonCategory

    person = person or Person(**person_data(**person_overrides))
    consultation = Consultation(
        consulted_on=consulted_on or datetime.date(2026, 4, 10),
        is_new=bool(is_new) if is_new is not None else True,
        is_new_by_hand=is_new is not None,
        is_new_reason="テストで指定" if is_new is not None else "",
        channel="phone",
        referrer_type=referrer_type,
        caller=caller,
        notes=notes,
    )
    return (case_intake if intake else case_open)(
        actor=worker,
        person=person,
        consultation=consultation,
        categories=PersonCategory.objects.filter(code__in=categories) if categories else (),
        main_concerns=MainConcern.objects.filter(code__in=concerns) if concerns else (),
        purpose=purpose,
        feedback_consent=feedback_consent,
        feedback_consent_on=consultation.consulted_on if feedback_consent == "given" else None,
    )


# A day of fiscal year 2025, the year the statistics tests report on.
CANARY_DAY = datetime.date(2025, 6, 2)


def canary_case(worker, *, consulted_on=CANARY_DAY, **kwargs):
    """Open a case whose caller and notes are canaries that no statistic may show."""
    return case_for(
        worker,
        consulted_on=consulted_on,
        caller="カナリア相談者",
        notes="カナリア相談内容",
        **kwargs,
    )


def case_record(worker, case, record):
    """Save a record of the case (a decision, petition, meeting...) through the service."""
    from advocacy.cases.services import record_save

    return record_save(actor=worker, case=case, record=record)


def owner(**fields):
    """Save an Owner of the test app (tests/testapp), which stands for a person."""
    from tests.testapp.models import Owner

    values = {"name": "山田 太郎", "kana": "やまだ たろう", "birth_date": datetime.date(1950, 1, 2)}
    values.update(fields)
    instance = Owner(**values)
    instance.save()
    return instance


def record(owner, **fields):
    """Save a Record of the test app under owner, every encrypted field filled."""
    from tests.testapp.models import Record

    values = {
        "text": "本人の相談内容",
        "day": datetime.date(2024, 4, 1),
        "amount": decimal.Decimal("1234.50"),
        "count": 7,
        "data": {"続柄": "長女", "連絡": ["電話", "手紙"]},
        "note": "メモ",
    }
    values.update(fields)
    instance = Record(owner=owner, **values)
    instance.save()
    return instance
