"""What the sandbox holds, in the shape of our Event rows, to compare a sync's result field by field."""

from datetime import UTC, datetime

from calendars.models import Event
from calendars.providers.base import normalize_response
from calendars.sandbox.microsoft_render import graph_visible
from calendars.sandbox.model import GOOGLE, MICROSOFT
from calendars.sandbox.views import expand, span
from calendars.sync.window import sync_window

GRAPH_RESPONSES = {"needsAction": "none", "accepted": "accepted", "declined": "declined",
                   "tentative": "tentativelyAccepted"}
FREE = {"free", "workingElsewhere"}


def _instant(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)


def sandbox_events(sandbox, provider: str, email: str, calendar_ids: set[str] | None = None) -> dict[str, tuple]:
    window_start, window_end = (int(edge.timestamp()) for edge in sync_window())
    state = sandbox.state
    out = {}
    with state.lock:
        account = state.account(provider, email)
        now = state.now()
        for calendar in account.calendars.values():
            if calendar_ids is not None and calendar.id not in calendar_ids:
                continue
            for instance in expand(calendar, now):
                if instance.cancelled or (provider == MICROSOFT and not graph_visible(instance)):
                    continue
                start, end = span(instance, calendar)
                if end < window_start or start > window_end:
                    continue
                event = instance.event
                organizer = event.organizer.email if event.organizer else ""
                attendees = sorted(
                    (a.email, normalize_response(a.response if provider == GOOGLE else GRAPH_RESPONSES[a.response]))
                    for a in event.attendees if a.email.lower() != organizer.lower()
                )
                declined = any(a.email.lower() == email.lower() and a.response == "declined" for a in event.attendees)
                out[instance.id] = (
                    event.summary or "", _instant(start), _instant(end), event.all_day,
                    event.show_as not in FREE and not declined, organizer, tuple(attendees),
                    instance.master.id if instance.master else "",
                )
    return out


def stored_events(calendar_ids: list[int]) -> dict[str, tuple]:
    out = {}
    for row in Event.objects.filter(calendar_id__in=calendar_ids):
        attendees = sorted(
            (a["email"], a["response"]) for a in row.attendees if a["email"].lower() != row.organizer_email.lower()
        )
        out[row.provider_event_id] = (
            row.title, row.start, row.end, row.all_day, row.is_busy, row.organizer_email, tuple(attendees),
            row.series_id,
        )
    return out
