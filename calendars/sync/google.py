"""Pages of Google Calendar events (events.list with singleEvents) as provider-neutral `Page`s."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httplib2
from django.conf import settings
from googleapiclient.errors import HttpError

from recruitee.zones import UTC_ZONE, zone_or_utc

from ..models import Calendar
from ..providers.base import ProviderError, TemporaryProviderError
from ..providers.google import GoogleProvider, error_from_http
from .normalize import UNREADABLE, skip_unreadable
from .types import EventData, FullSyncRequired, Page, normalize_response
from .window import sync_window


def _parse_instant(value: str, zone: ZoneInfo = UTC_ZONE) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    # RFC 3339 requires an offset; a time without one is read in `zone`, never in the server's own zone.
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def _optional_instant(value: object) -> datetime | None:
    """A timestamp we only keep for reference (`updated`): unreadable, it is left out, not the event."""
    try:
        return _parse_instant(value) if value else None
    except (ValueError, TypeError, AttributeError, OverflowError):
        return None


def _when(edge: dict, zone: ZoneInfo) -> tuple[datetime, date | None]:
    """An aware UTC instant, and the date for all-day edges (midnight in the calendar's zone)."""
    if "dateTime" in edge:
        local = zone_or_utc(edge["timeZone"]) if edge.get("timeZone") else zone
        return _parse_instant(edge["dateTime"], local), None
    day = date.fromisoformat(edge["date"])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC), day


def parse_event(item: dict, calendar_zone: ZoneInfo) -> EventData:
    start_edge, end_edge = item.get("start") or {}, item.get("end") or {}
    start, start_date = _when(start_edge, calendar_zone)
    end, end_date = _when(end_edge, calendar_zone) if end_edge else (start + timedelta(hours=1), None)
    organizer = item.get("organizer") or {}
    attendees = [
        {"email": a.get("email", ""), "name": a.get("displayName", ""),
         "response": normalize_response(a.get("responseStatus", ""))}
        for a in item.get("attendees") or [] if isinstance(a, dict)
    ]
    return EventData(
        provider_event_id=item["id"],
        ical_uid=item.get("iCalUID", ""),
        title=item.get("summary", ""),
        start=start,
        end=max(end, start),
        time_zone=start_edge.get("timeZone", ""),
        all_day=start_date is not None,
        start_date=start_date,
        end_date=end_date,
        status=item.get("status", "confirmed"),
        is_busy=item.get("transparency", "opaque") != "transparent",
        organizer_email=organizer.get("email", ""),
        organizer_name=organizer.get("displayName", ""),
        attendees=attendees,
        series_id=item.get("recurringEventId", ""),
        provider_updated_at=_optional_instant(item.get("updated")),
    )


def _error(error: HttpError) -> ProviderError:
    # Only the sync knows 410 (its token expired); everything else means what it means for any Google call.
    if error.status_code == 410:
        return FullSyncRequired("Google needs a full sync of this calendar.")
    return error_from_http(error, "listing events")


class GoogleEventSource:
    def __init__(self, access_token: str):
        self.service = GoogleProvider().service(access_token=access_token)

    def fetch(self, calendar: Calendar, *, page: str, cursor: str) -> Page:
        """One page: the first of a full sync (no page, no cursor), of an incremental one (cursor) or a later one."""
        # Keep the parameters of full and incremental requests identical, as Google requires for sync tokens.
        params = {"calendarId": calendar.provider_calendar_id, "singleEvents": True,
                  "maxResults": settings.CALENDAR_SYNC_PAGE_SIZE}
        if cursor:
            params["syncToken"] = cursor
        if page:
            params["pageToken"] = page
        try:
            body = self.service.events().list(**params).execute(num_retries=0)
        except HttpError as error:
            raise _error(error) from None
        except (httplib2.HttpLib2Error, OSError) as error:  # OSError covers timeouts and refused connections
            raise TemporaryProviderError(f"Could not reach Google ({type(error).__name__}).") from None
        zone = zone_or_utc(calendar.time_zone or body.get("timeZone", ""))
        window_start, window_end = sync_window()
        result = Page(next_page=body.get("nextPageToken", ""), cursor=body.get("nextSyncToken", ""))
        for item in body.get("items", []):
            try:
                _read_item(item, zone, (window_start, window_end), result)
            except UNREADABLE as error:
                skip_unreadable(result, item, error)  # one unreadable event never costs its page
        return result


def _read_item(item: dict, zone: ZoneInfo, window: tuple[datetime, datetime], result: Page) -> None:
    if item.get("status") == "cancelled":
        result.removed_ids.append(item["id"])
        return
    event = parse_event(item, zone)
    if event.end < window[0] or event.start > window[1]:
        # Outside the mirrored window: gone for us (it may have been moved out of it).
        result.removed_ids.append(event.provider_event_id)
    else:
        result.events.append(event)
