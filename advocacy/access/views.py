"""The access history of an organisation, for its supervisors (read from the audit trail)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from advocacy.accounts.roles import Role, has_role
from advocacy.audit.models import AuditEvent
from advocacy.audit.selectors import audit_events_for_organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db import models

    from advocacy.accounts.models import User

PAGE_SIZE = 50


def can_view_organisation_events(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.SUPERVISOR) and getattr(user, "organisation_id", None) is not None


@login_required
def organisation_events(request: HttpRequest) -> HttpResponse:
    """List the audit events of the supervisor's organisation, newest first."""
    user = request.user
    if not user.is_authenticated or not can_view_organisation_events(user):
        raise PermissionDenied
    organisation = user.organisation
    if organisation is None:  # can_view_organisation_events requires one
        raise PermissionDenied
    events = audit_events_for_organisation(organisation=organisation)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, _field_labels(event)) for event in page]
    return render(
        request,
        "audit/organisation_events.html",
        {"organisation": organisation, "page_obj": page, "rows": rows},
    )


def _field_labels(event: AuditEvent) -> list[str]:
    """Return the verbose names of the fields read, or the stored names where none is found."""
    content_type = event.content_type if event.content_type_id else None
    default_model = content_type.model_class() if content_type is not None else None
    return [_field_label(name, default_model) for name in event.fields_read]


def _field_label(name: str, default_model: type[models.Model] | None) -> str:
    model_name, _dot, field_name = name.rpartition(".")
    model = _models_by_name().get(model_name) if model_name else default_model
    if model is None:
        return name
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return name
    verbose = str(getattr(field, "verbose_name", field_name))
    return f"{model._meta.verbose_name}.{verbose}" if model_name else verbose


@cache
def _models_by_name() -> dict[str, type[models.Model]]:
    return {model.__name__: model for model in apps.get_models()}
