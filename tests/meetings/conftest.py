"""Fixtures of the meeting tests: staff, outside members, cases and meetings (invented)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from advocacy.accounts.roles import Role
from advocacy.meetings import services
from advocacy.meetings.models import Meeting, Member
from tests import factories
from tests.portal.otp import force_login_verified


@pytest.fixture
def worker(users_by_role):
    return users_by_role["city_caseworker"]


@pytest.fixture
def supervisor(users_by_role):
    return users_by_role["city_supervisor"]


@pytest.fixture
def outside(db):
    """A care manager who sits on 支援会議 (no organisation of ours)."""
    return factories.user(Role.MEETING_MEMBER)


def today() -> datetime.date:
    return timezone.localdate()


def make_meeting(actor, *, kind=Meeting.Kind.SUPPORT, held_on=None, agenda_sent_on=None):
    return services.meeting_create(
        actor=actor,
        values={
            "kind": kind,
            "held_on": held_on or today(),
            "place": "市役所 第3会議室",
            "chair": actor,
            "agenda_sent_on": agenda_sent_on,
        },
    )


def add_outside(actor, meeting, user, *, pledged=True):
    return services.member_add(
        actor=actor,
        meeting=meeting,
        values={
            "user": user,
            "is_outside": True,
            "organisation_name": "架空居宅介護支援事業所",
            "organisation_type": Member.OrganisationType.CARE_MANAGEMENT,
            "title": "介護支援専門員",
            "pledged_on": today() if pledged else None,
            "pledge_basis": Member.PledgeBasis.SOCIAL_WELFARE_ACT_106_6 if pledged else "",
        },
    )


def login(client, user):
    """Log user in with their second factor given (outside members always need one)."""
    return force_login_verified(client, user)
