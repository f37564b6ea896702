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
