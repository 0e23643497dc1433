"""Invites as the scheduling service builds them: one interview's request, update and cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduling.ics import build_invite

UID = "interview-7f3c2a@recruit.example.com"
DTSTAMP = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def invite(**overrides: Any) -> bytes:
    """A REQUEST for a one-hour interview on 2027-03-29 10:00 in Berlin; any argument can be overridden.

    An overridden start without an end keeps the hour.
    """
    start = overrides.pop("start", None) or datetime(2027, 3, 29, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    arguments: dict[str, Any] = {
        "method": "REQUEST",
        "uid": UID,
        "sequence": 0,
        "start": start,
        "end": start + timedelta(hours=1),
        "time_zone": "Europe/Berlin",
        "summary": "Interview: Backend Engineer",
        "description": "Hi Wile,\nlooking forward to talking to you.",
        "location": "Acme Inc., Main Street 1, Berlin",
        "url": "https://meet.example.com/abc-defg-hij",
        "organizer_email": "jordan.lee@acme.test",
        "organizer_name": "Jordan Lee",
        "attendees": [("Wile E. Coyote", "wile.coyote@acme-candidates.test")],
        "status": "CONFIRMED",
        "dtstamp": DTSTAMP,
    }
    arguments.update(overrides)
    return build_invite(**arguments)


def download(**overrides: Any) -> bytes:
    """The "Add to calendar" file of the same interview: METHOD:PUBLISH, no attendees."""
    return invite(**{"method": "PUBLISH", "attendees": [], **overrides})


def lifecycle(**overrides: Any) -> dict[str, bytes]:
    """The three kinds of invite one interview produces: request, reschedule (SEQUENCE 1), cancel (SEQUENCE 2)."""
    moved = datetime(2027, 3, 30, 14, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    return {
        "request": invite(**overrides),
        "update": invite(**{**overrides, "sequence": 1, "start": moved, "end": moved + timedelta(minutes=45)}),
        "cancel": invite(
            **{
                **overrides, "method": "CANCEL", "status": "CANCELLED", "sequence": 2, "start": moved,
                "end": moved + timedelta(minutes=45),
            }
        ),
    }
