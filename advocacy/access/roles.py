"""Role checks in one place, for views, menus and the home redirect."""

from __future__ import annotations

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.models import AnonymousUser

from advocacy.accounts.models import User
from advocacy.accounts.roles import STAFF_ROLES, Role


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """Return the user's roles, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_advocacy_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._advocacy_roles = cached
    return cached


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_case_staff(user: User | AnonymousUser) -> bool:
    """City or Council staff attached to an organisation (they work on cases)."""
    return bool(roles_of(user) & STAFF_ROLES) and getattr(user, "organisation_id", None) is not None


def is_system_admin(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.SYSTEM_ADMIN))


def supervises(user: User | AnonymousUser, case) -> bool:
    """Whether user is a supervisor of the organisation that owns case."""
    return has_role(user, Role.SUPERVISOR) and case.organisation_id == user.organisation_id


def app_permission(check):
    """A viewflow Application permission showing the app to users passing ``check``.

    viewflow's SiteMiddleware also uses it to refuse requests; anonymous users are let
    through to the view so that it sends them to the login page instead of a bare 403.
    """
    return staticmethod(lambda user: not user.is_authenticated or check(user))


class RoleRequiredMixin(AccessMixin):
    """Let a view through only for users holding one of ``required_roles``."""

    required_roles: tuple[Role, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.required_roles):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
