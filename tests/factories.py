"""The one place tests make objects; every name here is invented."""

from __future__ import annotations

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
    import datetime

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


def case_for(worker, *, person=None, consulted_on=None, **person_overrides):
    """Open a case through the service, as worker (who is granted it)."""
    import datetime

    from advocacy.cases.models import Consultation, Person
    from advocacy.cases.services import case_open

    person = person or Person(**person_data(**person_overrides))
    consultation = Consultation(
        consulted_on=consulted_on or datetime.date(2026, 4, 10),
        channel="phone",
        referrer_type="care_manager",
        caller="架空 一郎",
        notes="架空の相談内容",
    )
    return case_open(actor=worker, person=person, consultation=consultation)
