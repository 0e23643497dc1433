"""Reading a page of Microsoft Graph events (`calendarView/delta`) into our Page: the sync's half of the Graph
adapter.

Apart from the adapter (microsoft.py) because it needs nothing but the standard library and icalendar's table of
Windows zone names: the sync runs it in a worker process of its own for a big calendar (see
calendars/sync/worker.py), which then starts without the HTTP and identity client libraries.
"""

from collections.abc import Callable
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from .base import UNREADABLE, EventData, Page, ProviderCalendar, normalize_response, read_json, zone_named

UTC_ZONE = ZoneInfo("UTC")


def iana_zone_name(name: object) -> str:
    """The IANA name for a zone as Graph names it, or "" when it names none we know ("Customized Time Zone").

    Graph sends IANA names, Windows names ("W. Europe Standard Time", mapped with the CLDR table that icalendar
    ships) and, for UTC, sometimes "tzone://Microsoft/Utc".
    """
    if not isinstance(name, str) or not name:
        return ""
    if name.lower() == "tzone://microsoft/utc":
        return "UTC"
    for candidate in (name, WINDOWS_TO_OLSON.get(name)):
        if zone_named(candidate) is not None:
            return candidate
    return ""


# Graph's showAs values that leave the person available.
FREE_SHOW_AS = {"free", "workingElsewhere"}


def _instant(edge: dict) -> datetime:
    """Graph sends `2026-03-29T09:00:00.0000000` plus a zone name; without a Prefer header the zone is UTC."""
    stamp = edge["dateTime"]
    if "." in stamp:
        whole, fraction = stamp.split(".", 1)
        stamp = f"{whole}.{fraction[:6]}"
    naive = datetime.fromisoformat(stamp)
    return naive.replace(tzinfo=zone_named(iana_zone_name(edge.get("timeZone")), UTC_ZONE)).astimezone(UTC)


def _optional_stamp(value: object) -> datetime | None:
    """A timestamp we only keep for reference: unreadable, it is left out, not the event."""
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except (ValueError, TypeError, AttributeError):
        return None
    return stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _declined_by_owner(item: dict) -> bool:
    answer = item.get("responseStatus")
    return isinstance(answer, dict) and answer.get("response") == "declined"


def parse_event(item: dict, calendar_zone: ZoneInfo) -> EventData:
    all_day = bool(item.get("isAllDay"))
    start, end = _instant(item["start"]), _instant(item["end"])
    original_zone = iana_zone_name(item.get("originalStartTimeZone", ""))
    start_date = end_date = None
    if all_day:
        # All-day events are whole dates; anchor them at midnight in the zone they were made in, like Google's.
        start_date, end_date = start.date(), end.date()
        zone = zone_named(original_zone, calendar_zone)
        start = datetime.combine(start_date, time.min, tzinfo=zone).astimezone(UTC)
        end = datetime.combine(end_date, time.min, tzinfo=zone).astimezone(UTC)
    organizer = (item.get("organizer") or {}).get("emailAddress") or {}
    attendees = [
        {
            "email": (a.get("emailAddress") or {}).get("address", ""),
            "name": (a.get("emailAddress") or {}).get("name", ""),
            "response": normalize_response((a.get("status") or {}).get("response", "")),
        }
        for a in item.get("attendees") or [] if isinstance(a, dict)
    ]
    return EventData(
        provider_event_id=item["id"],
        ical_uid=item.get("iCalUId", ""),
        title=item.get("subject") or "",
        start=start,
        end=max(end, start),
        time_zone=original_zone,
        all_day=all_day,
        start_date=start_date,
        end_date=end_date,
        status="cancelled" if item.get("isCancelled") else ("tentative" if item.get("showAs") == "tentative"
                                                              else "confirmed"),
        # Shown as free, or declined by the calendar's owner (Outlook may keep a declined meeting): no busy time.
        is_busy=item.get("showAs", "busy") not in FREE_SHOW_AS and not _declined_by_owner(item),
        organizer_email=organizer.get("address", ""),
        organizer_name=organizer.get("name", ""),
        attendees=attendees,
        series_id=item.get("seriesMasterId") or "",
        provider_updated_at=_optional_stamp(item.get("lastModifiedDateTime")),
    )


def _read_item(item: dict, zone: ZoneInfo, result: Page) -> None:
    if "@removed" in item or item.get("isCancelled"):
        result.removed_ids.append(item["id"])
    elif item.get("type") != "seriesMaster":
        result.events.append(parse_event(item, zone))


def read_events_page(content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
                     on_links: Callable[[str, str], None] | None = None) -> Page:
    """The page in a delta answer's body, as it came over the wire (JSON). `on_links` hears where the next page is
    (next link, delta link) as soon as that is known, before the events are read: the next page can then be fetched
    meanwhile. (The window is in the links already: Graph sends only what lies in it.)"""
    body = read_json(content)
    result = Page(next_page=body.get("@odata.nextLink", ""), cursor=body.get("@odata.deltaLink", ""))
    if on_links is not None:
        on_links(result.next_page, result.cursor)
    zone = zone_named(calendar.time_zone, UTC_ZONE)
    for item in body.get("value", []):
        try:
            _read_item(item, zone, result)
        except UNREADABLE as error:
            result.skip(item, error)  # one unreadable event never costs its page
    return result
