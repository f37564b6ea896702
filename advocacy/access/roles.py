"""Access rules that follow from roles: who supervises a case, which views a role may open.

The roles themselves and the checks of a user's roles (``has_role``, ``is_case_staff``) are in
``advocacy.accounts.roles``, one layer below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.models import AnonymousUser

from advocacy.accounts.models import User
from advocacy.accounts.roles import Role, has_role

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase
    from django.views import View

    from advocacy.cases.models import Case

    # The mixin is always combined with a View; the checker needs to know that for dispatch.
    class _AccessMixin(AccessMixin, View): ...

else:
    _AccessMixin = AccessMixin


def supervises(user: User | AnonymousUser, case: Case) -> bool:
    """Whether user is a supervisor of the organisation that owns case."""
    return (
        user.is_authenticated
        and has_role(user, Role.SUPERVISOR)
        and case.organisation_id == user.organisation_id
    )


def app_permission(
    check: Callable[[User], bool],
) -> staticmethod[[User | AnonymousUser], bool]:
    """A viewflow Application permission showing the app to users passing ``check``.

    viewflow's SiteMiddleware also uses it to refuse requests; anonymous users are let
    through to the view so that it sends them to the login page instead of a bare 403.
    """

    def permission(user: User | AnonymousUser) -> bool:
        return not user.is_authenticated or check(user)

    return staticmethod(permission)


class RoleRequiredMixin(_AccessMixin):
    """Let a view through only for users holding one of ``required_roles``."""

    required_roles: tuple[Role, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.required_roles):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
