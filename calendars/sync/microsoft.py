"""Pages of Outlook events (Graph calendarView/delta per calendar) as provider-neutral `Page`s."""

from datetime import UTC, datetime, time
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import requests
from django.conf import settings

from recruitee.zones import zone_or_utc

from ..models import Calendar
from ..providers.base import TemporaryProviderError
from ..providers.microsoft import MicrosoftProvider, raise_for_graph
from .normalize import UNREADABLE, skip_unreadable
from .types import EventData, FullSyncRequired, Page, normalize_response
from .window import sync_window
from .windows_zones import iana_zone_name

# Graph's showAs values that leave the person available.
FREE_SHOW_AS = {"free", "workingElsewhere"}


def _instant(edge: dict) -> datetime:
    """Graph sends `2026-03-29T09:00:00.0000000` plus a zone name; without a Prefer header the zone is UTC."""
    stamp = edge["dateTime"]
    if "." in stamp:
        whole, fraction = stamp.split(".", 1)
        stamp = f"{whole}.{fraction[:6]}"
    naive = datetime.fromisoformat(stamp)
    return naive.replace(tzinfo=zone_or_utc(edge.get("timeZone"))).astimezone(UTC)


def parse_event(item: dict, calendar_zone: ZoneInfo) -> EventData:
    all_day = bool(item.get("isAllDay"))
    start, end = _instant(item["start"]), _instant(item["end"])
    original_zone = iana_zone_name(item.get("originalStartTimeZone", ""))
    start_date = end_date = None
    if all_day:
        # All-day events are whole dates; anchor them at midnight in the zone they were made in, like Google's.
        start_date, end_date = start.date(), end.date()
        zone = zone_or_utc(original_zone) if original_zone else calendar_zone
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
        is_busy=item.get("showAs", "busy") not in FREE_SHOW_AS,
        organizer_email=organizer.get("address", ""),
        organizer_name=organizer.get("name", ""),
        attendees=attendees,
        series_id=item.get("seriesMasterId") or "",
        provider_updated_at=_optional_stamp(item.get("lastModifiedDateTime")),
    )


def _optional_stamp(value: object) -> datetime | None:
    """A timestamp we only keep for reference: unreadable, it is left out, not the event."""
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except (ValueError, TypeError, AttributeError):
        return None
    return stamp if stamp is None or stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _raise_for(response: requests.Response) -> None:
    if response.status_code < 400:
        return
    code = ""
    try:
        code = (response.json().get("error") or {}).get("code", "")
    except ValueError:
        pass
    # Only the sync knows a stale delta link; everything else means what it means for any Graph call.
    if response.status_code == 410 or code == "syncStateNotFound":
        raise FullSyncRequired("Microsoft needs a full sync of this calendar.")
    raise_for_graph(response, "listing events")


class MicrosoftEventSource:
    def __init__(self, access_token: str):
        self.session = MicrosoftProvider().graph(access_token)
        self.session.headers["Prefer"] = f"odata.maxpagesize={settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE}"

    @staticmethod
    def first_url(calendar: Calendar) -> str:
        window_start, window_end = sync_window()
        query = urlencode({
            "startDateTime": window_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endDateTime": window_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })
        calendar_id = quote(calendar.provider_calendar_id, safe="")
        return f"{settings.MICROSOFT_GRAPH_URL}/me/calendars/{calendar_id}/calendarView/delta?{query}"

    def fetch(self, calendar: Calendar, *, page: str, cursor: str) -> Page:
        # Graph's links are self-contained: a nextLink continues, a deltaLink starts the next incremental sync.
        url = page or cursor or self.first_url(calendar)
        try:
            response = self.session.get(url)
        except requests.RequestException as error:
            raise TemporaryProviderError(f"Could not reach Microsoft ({type(error).__name__}).") from None
        _raise_for(response)
        body = response.json()
        zone = zone_or_utc(calendar.time_zone)
        result = Page(next_page=body.get("@odata.nextLink", ""), cursor=body.get("@odata.deltaLink", ""))
        for item in body.get("value", []):
            try:
                _read_item(item, zone, result)
            except UNREADABLE as error:
                skip_unreadable(result, item, error)  # one unreadable event never costs its page
        return result


def _read_item(item: dict, zone: ZoneInfo, result: Page) -> None:
    if "@removed" in item or item.get("isCancelled"):
        result.removed_ids.append(item["id"])
    elif item.get("type") != "seriesMaster":
        result.events.append(parse_event(item, zone))


