"""The committee's meeting shows the statistics release it had (``meetings.hooks``).

Registered once, from ``StatsConfig.ready``: meetings sits below stats and cannot name a
release. The release is the latest made by the meeting's day (decision 70): what the
committee could read at the meeting, anonymised and suppressed as published.
"""

from __future__ import annotations

from django.http import HttpRequest

from advocacy.meetings.hooks import MeetingSection
from advocacy.meetings.models import Meeting

from . import selectors, services


def committee_release_section(*, request: HttpRequest, meeting: Meeting) -> MeetingSection | None:
    """Return the section naming the release of the committee's meeting (committee only)."""
    if meeting.kind != Meeting.Kind.COMMITTEE:
        return None
    release = selectors.release_for_meeting(meeting)
    return MeetingSection(
        template="stats/_meeting_release.html",
        context={
            "release": release,
            "label": services.release_label(release) if release else "",
        },
    )
