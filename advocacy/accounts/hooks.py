"""The point where a higher layer (the workflows) joins in when an account is deactivated.

``accounts`` sits at the bottom of the stack of who-does-what (docs/architecture.md): it may
not import ``access`` (grants) or ``workflows`` (tasks). Yet a deactivated account must lose
its grants and its open tasks at once. This is one hook, registered once, from
``workflows.apps.WorkflowsConfig.ready``; nothing else registers here.

- ``on_user_deactivated(fn)``: ``fn(*, actor, user)`` runs inside ``user_deactivate``'s
  transaction, so a failure leaves the account active with everything it had.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocacy.accounts.models import User

UserDeactivated = Callable[..., Any]

_user_deactivated: list[UserDeactivated] = []


def on_user_deactivated(fn: UserDeactivated) -> UserDeactivated:
    """Run fn(actor=..., user=...) whenever an account is deactivated (registered once)."""
    if fn not in _user_deactivated:
        _user_deactivated.append(fn)
    return fn


def user_deactivated(*, actor: User | None, user: User) -> None:
    """Tell the registered hooks that user was deactivated (by ``user_deactivate``, and by
    ``outreach.services.trainee_erase`` closing an erased citizen guardian's account)."""
    for fn in _user_deactivated:
        fn(actor=actor, user=user)
