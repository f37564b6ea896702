"""Reading audit events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from .models import AuditEvent

if TYPE_CHECKING:
    import datetime

    from advocacy.accounts.models import Organisation, User


def _listed(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    return events.select_related("actor", "organisation", "content_type").order_by("-id")


def audit_events_for_object(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """Return the events about obj, newest first."""
    content_type = ContentType.objects.get_for_model(obj)
    return _listed(AuditEvent.objects.filter(content_type=content_type, object_id=str(obj.pk)))


def audit_event_count(*, actor: User, action: int, since: datetime.datetime) -> int:
    """Count actor's events of action from since on (a rate limit reads its own trail)."""
    return AuditEvent.objects.filter(actor=actor, action=action, time__gte=since).count()


def audit_events_for_organisation(*, organisation: Organisation) -> QuerySet[AuditEvent]:
    """Return the events by the organisation's staff or about its objects, newest first."""
    return _listed(
        AuditEvent.objects.filter(
            Q(organisation=organisation) | Q(object_organisation=organisation)
        )
    )
