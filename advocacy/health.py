"""The health endpoint for the operator's monitoring: /health/ (django-health-check).

It answers only a client at an address of ADVOCACY_HEALTH_ALLOWED (loopback by default) that
reached the application directly, not through the reverse proxy; anyone else gets the site's
ordinary 404, as for a URL that does not exist. The checks' messages name a failure's kind,
never a path, a host or a setting's value.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpRequest, HttpResponseBase
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from advocacy.crypto.exceptions import KeyFileError
from advocacy.crypto.keyring import key_file_path, load_keyring

# Headers a reverse proxy adds; a request carrying one came from outside, whatever its address.
_PROXY_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration of the code is applied to the database."""

    def run(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()
        if pending:
            raise ServiceUnavailable(f"{len(pending)} migrations not applied")


@dataclasses.dataclass
class KeyFileReadable(HealthCheck):
    """The key file can be read, has a safe mode and holds a valid keyring."""

    def run(self) -> None:
        try:
            load_keyring(key_file_path())
        except KeyFileError:
            raise ServiceUnavailable("key file missing, unreadable or invalid") from None


@dataclasses.dataclass
class MailSettingsPresent(HealthCheck):
    """Mail has a sender and, for SMTP, a host (not whether the server answers)."""

    def run(self) -> None:
        if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend") and not settings.EMAIL_HOST:
            raise ServiceUnavailable("no SMTP host")
        if not settings.DEFAULT_FROM_EMAIL:
            raise ServiceUnavailable("no sender address")


def health_allowed(request: HttpRequest) -> bool:
    """True for a direct request from an allowed address."""
    if any(request.META.get(header) for header in _PROXY_HEADERS):
        return False
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.ADVOCACY_HEALTH_ALLOWED:
        try:
            if client in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


class HealthView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        MigrationsApplied,
        KeyFileReadable,
        MailSettingsPresent,
    )

    async def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not health_allowed(request):
            raise Http404
        response: HttpResponseBase = await super().dispatch(request, *args, **kwargs)
        return response
