"""The provider-neutral shapes the sync engine works with."""

from dataclasses import dataclass, field
from datetime import date, datetime

from ..providers.base import ProviderError

# Attendee responses in one vocabulary, whichever provider they came from.
RESPONSES = {
    # Google
    "needsAction": "needs_action", "accepted": "accepted", "tentative": "tentative", "declined": "declined",
    # Microsoft Graph
    "none": "needs_action", "notResponded": "needs_action", "tentativelyAccepted": "tentative",
    "organizer": "accepted",
}


# What an event's status may be once stored; anything else a provider invents is stored as "confirmed" (busy).
EVENT_STATUSES = ("confirmed", "tentative", "cancelled")


def normalize_response(value: str) -> str:
    return RESPONSES.get(value, "needs_action") if isinstance(value, str) else "needs_action"


@dataclass(frozen=True, slots=True)
class EventData:
    provider_event_id: str
    ical_uid: str
    title: str
    start: datetime
    end: datetime
    time_zone: str
    all_day: bool
    start_date: date | None
    end_date: date | None
    status: str
    is_busy: bool
    organizer_email: str
    organizer_name: str
    attendees: list[dict]
    series_id: str
    provider_updated_at: datetime | None


@dataclass(slots=True)
class Page:
    events: list[EventData] = field(default_factory=list)
    removed_ids: list[str] = field(default_factory=list)
    next_page: str = ""  # where to continue; empty on the last page
    cursor: str = ""  # the cursor for the next incremental sync; only on the last page
    skipped: int = 0  # events the provider sent that could not be read or stored


class FullSyncRequired(ProviderError):
    """The provider no longer accepts our cursor (Google 410 fullSyncRequired, Graph 410 syncStateNotFound)."""


