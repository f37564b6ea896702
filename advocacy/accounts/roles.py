"""The roles of the system, each a Django group with a fixed name.

Roles carry no model-wide permission on case data: who sees which case is decided per object
(see ``advocacy.access``). The group names are stable identifiers; labels are translatable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from advocacy.accounts.models import User


class Role(models.TextChoices):
    CITY_CASEWORKER = "city_caseworker", _("市 担当職員")
    COUNCIL_CASEWORKER = "council_caseworker", _("社協 担当職員")
    SUPERVISOR = "supervisor", _("スーパーバイザー")
    PROFESSIONAL = "professional", _("専門職")
    COMMITTEE_MEMBER = "committee_member", _("ネットワーク委員会委員")
    # An outside member of a 支援会議 (a care manager, a consultant): sees a meeting's pack
    # in its window only, always with a second factor (decision 68).
    MEETING_MEMBER = "meeting_member", _("支援会議の外部構成員")
    SYSTEM_ADMIN = "system_admin", _("システム管理者")


STAFF_ROLES = frozenset({Role.CITY_CASEWORKER, Role.COUNCIL_CASEWORKER, Role.SUPERVISOR})

ROLE_DESCRIPTIONS = {
    Role.CITY_CASEWORKER: _("くらし連携支援室の職員。自組織の担当ケースを扱う。"),
    Role.COUNCIL_CASEWORKER: _("成年後見サポートセンターの職員。自組織の担当ケースを扱う。"),
    Role.SUPERVISOR: _("組織の全ケースを見られ、担当替えと終結ができる。"),
    Role.PROFESSIONAL: _("弁護士・司法書士など。受任調整の依頼を受け、受任したケースだけを見る。"),
    Role.COMMITTEE_MEMBER: _("匿名化された統計だけを見る。"),
    Role.MEETING_MEMBER: _(
        "守秘義務を誓約した支援会議の外部構成員。会議の前後の期間だけ、議題のケースの資料を見る。"
    ),
    Role.SYSTEM_ADMIN: _("利用者・組織・基本データを管理する。ケースは見ない。"),
}


# The attribute of a user object where roles_of keeps its answer (User declares no such field).
_ROLES_CACHE = "_advocacy_roles"


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """Return the user's roles, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        setattr(user, _ROLES_CACHE, cached)
    return cached


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_case_staff(user: User | AnonymousUser) -> bool:
    """City or Council staff attached to an organisation (they work on cases)."""
    return bool(roles_of(user) & STAFF_ROLES) and getattr(user, "organisation_id", None) is not None


def is_system_admin(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.SYSTEM_ADMIN))
