"""Reading a page of Google Calendar events (`events.list`) into our Page: the sync's half of the Google adapter.

Apart from the adapter (google.py) because it needs nothing but the standard library: the sync runs it in a worker
process of its own for a big calendar (see calendars/sync/worker.py), which then starts without the HTTP and OAuth
client libraries.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .base import RESPONSES, UNREADABLE, EventData, Page, ProviderCalendar, normalize_response, read_json, zone_named

UTC_ZONE = ZoneInfo("UTC")


def _parse_instant(value: str, zone: ZoneInfo = UTC_ZONE) -> datetime:
    parsed = datetime.fromisoformat(value)  # Python 3.11 reads RFC 3339, "Z" included
    if parsed.tzinfo is UTC:  # "…Z", as Google writes `updated`: nothing to convert (astimezone costs 0.4 µs)
        return parsed
    # RFC 3339 requires an offset; a time without one is read in `zone`, never in the server's own zone.
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def _optional_instant(value: object) -> datetime | None:
    """A timestamp we only keep for reference (`updated`): unreadable, it is left out, not the event."""
    try:
        return _parse_instant(value) if value else None
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None


def _read_when(edge: dict, zone: ZoneInfo) -> tuple[datetime, date | None]:
    """An aware instant, and the date for all-day edges (midnight in the calendar's zone).

    The instant keeps the offset or zone it came with: the database stores the same instant either way, and
    converting to UTC here cost 0.4 µs a time, twice an event of every full sync."""
    if "dateTime" in edge:
        parsed = datetime.fromisoformat(edge["dateTime"])
        if parsed.tzinfo is None:  # no offset: read in the edge's own zone, else the calendar's
            zone = zone_named(edge["timeZone"], UTC_ZONE) if edge.get("timeZone") else zone
            parsed = parsed.replace(tzinfo=zone)
        return parsed, None
    day = date.fromisoformat(edge["date"])
    return datetime.combine(day, time.min, tzinfo=zone), day


_response_of = RESPONSES.get
_DEFAULT_LENGTH = timedelta(hours=1)


def _people(attendees: list) -> list[dict]:
    try:
        # Almost every response is one of Google's words: a dict lookup, no call per attendee.
        return [{"email": a.get("email", ""), "name": a.get("displayName", ""),
                 "response": _response_of(a.get("responseStatus"), "needs_action")}
                for a in attendees if isinstance(a, dict)]
    except TypeError:  # a response that is not even hashable (a list, say)
        return [{"email": a.get("email", ""), "name": a.get("displayName", ""),
                 "response": normalize_response(a.get("responseStatus", ""))}
                for a in attendees if isinstance(a, dict)]


def _declined_by_owner(attendees: list) -> bool:
    """The calendar's owner said no (their own entry, `self`, answered "declined"): the time is not theirs to give."""
    for attendee in attendees:  # a plain loop: any() over a generator costs a frame per attendee, once per event
        if isinstance(attendee, dict) and attendee.get("self") is True and attendee.get("responseStatus") == "declined":
            return True
    return False


def parse_event(item: dict, calendar_zone: ZoneInfo) -> EventData:
    # Once per event of every full sync: plain lookups, no helper calls where a dict lookup will do.
    get = item.get
    start_edge, end_edge = get("start") or {}, get("end") or {}
    start, start_date = _read_when(start_edge, calendar_zone)
    end, end_date = _read_when(end_edge, calendar_zone) if end_edge else (start.astimezone(UTC) + _DEFAULT_LENGTH, None)
    organizer = get("organizer") or {}
    attendees = get("attendees")
    updated = get("updated")
    # Positional, in EventData's order: a call with sixteen keywords costs noticeably more, once per event.
    return EventData(
        item["id"], get("iCalUID", ""), get("summary", ""), start, end if end > start else start,
        start_edge.get("timeZone", ""), start_date is not None, start_date, end_date, get("status", "confirmed"),
        get("transparency", "opaque") != "transparent" and not (attendees and _declined_by_owner(attendees)),
        organizer.get("email", ""), organizer.get("displayName", ""),
        _people(attendees) if attendees else [], get("recurringEventId", ""),
        _optional_instant(updated) if updated else None,
    )


def _read_item(item: dict, zone: ZoneInfo, window: tuple[datetime, datetime], result: Page) -> None:
    if item.get("status") == "cancelled":
        result.removed_ids.append(item["id"])
        return
    event = parse_event(item, zone)
    if event.end < window[0] or event.start > window[1]:
        # Outside the mirrored window: gone for us (it may have been moved out of it). An incremental sync cannot
        # ask Google for the window (timeMin/timeMax are refused with a sync token), so it is applied here.
        result.removed_ids.append(event.provider_event_id)
    else:
        result.events.append(event)


def read_events_page(content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
                     on_links: Callable[[str, str], None] | None = None) -> Page:
    """The page in an `events.list` answer's body, as it came over the wire (JSON). `on_links` hears where the next
    page is (page token, sync token) as soon as that is known, before the events are read: the next page can then
    be fetched meanwhile."""
    body = read_json(content) if content else {}
    result = Page(next_page=body.get("nextPageToken", ""), cursor=body.get("nextSyncToken", ""))
    if on_links is not None:
        on_links(result.next_page, result.cursor)
    zone = zone_named(calendar.time_zone) or zone_named(body.get("timeZone"), UTC_ZONE)
    for item in body.get("items", []):
        try:
            _read_item(item, zone, window, result)
        except UNREADABLE as error:
            result.skip(item, error)  # one unreadable event never costs its page
    return result
