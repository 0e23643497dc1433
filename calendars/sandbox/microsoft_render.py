"""Microsoft shapes: Graph event/calendar resources, Graph and Entra ID (AAD) error bodies, time zones."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfoNotFoundError

from .model import ACCEPTED, CANCELLED, DECLINED, NEEDS_ACTION, TENTATIVE_RESPONSE, Calendar, zone
from .views import Instance
from .web import HttpError, Response, json_response

WINDOWS_ZONES = {
    "UTC": "UTC", "W. Europe Standard Time": "Europe/Berlin", "Romance Standard Time": "Europe/Paris",
    "GMT Standard Time": "Europe/London", "Central Europe Standard Time": "Europe/Budapest",
    "Eastern Standard Time": "America/New_York", "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver", "Pacific Standard Time": "America/Los_Angeles",
    "Tokyo Standard Time": "Asia/Tokyo", "India Standard Time": "Asia/Kolkata",
    "Nepal Standard Time": "Asia/Kathmandu", "Cen. Australia Standard Time": "Australia/Adelaide",
    "AUS Eastern Standard Time": "Australia/Sydney", "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore",
}
IANA_TO_WINDOWS = {v: k for k, v in reversed(WINDOWS_ZONES.items())}
RESPONSES = {NEEDS_ACTION: "none", ACCEPTED: "accepted", DECLINED: "declined",
             TENTATIVE_RESPONSE: "tentativelyAccepted"}
GRAPH_CODES = {
    400: ("BadRequest", "Bad request."), 401: ("InvalidAuthenticationToken", "Access token is empty."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("ErrorItemNotFound", "The specified object was not found in the store."),
    409: ("ErrorIrresolvableConflict", "Conflict."),
    410: ("syncStateNotFound", "The sync state generation is not found."),
    429: ("TooManyRequests", "Too many requests."),
    500: ("generalException", "An internal server error occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("serviceNotAvailable", "The service is temporarily unavailable. Try again later."),
    504: ("UnknownError", "Gateway timeout."),
}
NULL_TIME = "0001-01-01T00:00:00Z"


def resolve_zone(name: str | None) -> str | None:
    """IANA name for a Windows or IANA zone name, None when unknown."""
    if not name:
        return None
    name = name.strip().strip('"')
    if name in WINDOWS_ZONES:
        return WINDOWS_ZONES[name]
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def windows_name(tz: str) -> str:
    return IANA_TO_WINDOWS.get(tz, tz)


def graph_time(ts: int, tz: str) -> str:
    return datetime.fromtimestamp(ts, zone(tz)).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def graph_stamp(ms: int) -> str:
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}0000Z"


def inner_error(request_id: str | None = None) -> dict[str, str]:
    rid = request_id or str(uuid.uuid4())
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "request-id": rid, "client-request-id": rid}


def graph_error_response(status: int, code: str | None = None, message: str | None = None) -> Response:
    default_code, default_message = GRAPH_CODES.get(status, ("UnknownError", "Unknown error."))
    inner = inner_error()
    headers = [("request-id", inner["request-id"]), ("client-request-id", inner["client-request-id"])]
    if status == 401:
        headers.append(("WWW-Authenticate", 'Bearer realm="", '
                        'authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                        'client_id="00000003-0000-0000-c000-000000000000"'))
    return json_response({"error": {"code": code or default_code, "message": message or default_message,
                                    "innerError": inner}}, status, headers)


def graph_error(status: int, code: str | None = None, message: str | None = None) -> HttpError:
    return HttpError(graph_error_response(status, code, message))


def aad_error_response(status: int, error: str, code: int, message: str) -> Response:
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    return json_response({
        "error": error,
        "error_description": f"AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {correlation} "
                             f"Timestamp: {stamp}",
        "error_codes": [code], "timestamp": stamp, "trace_id": trace, "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }, status)


def aad_error(status: int, error: str, code: int, message: str) -> HttpError:
    return HttpError(aad_error_response(status, error, code, message))


def fault_body(status: int, reason: str | None, message: str | None, path: str = "") -> Response:
    if "/oauth2/" in path:
        return aad_error_response(status, reason or ("temporarily_unavailable" if status >= 500 else "invalid_request"),
                                  50196 if status == 429 else 90033, message or "The service is temporarily busy.")
    return graph_error_response(status, reason, message)


def graph_visible(inst: Instance) -> bool:
    """Graph hides deleted items; a meeting someone else cancelled stays visible with isCancelled."""
    ev = inst.event
    if ev.status != CANCELLED:
        return True
    if ev.get_extra("deleted"):
        return False
    acc = ev.calendar.account
    return bool(ev.organizer) and ev.organizer.email.lower() != acc.email.lower()


def event_type(inst: Instance) -> str:
    if inst.master is None:
        return "seriesMaster" if inst.event.recurrence else "singleInstance"
    return "occurrence" if inst.is_occurrence else "exception"


def render_event(inst: Instance, cal: Calendar, base: str, out_tz: str = "UTC",
                 out_label: str = "UTC") -> dict[str, Any]:
    ev = inst.event
    acc = cal.account
    organizer = ev.organizer or cal.owner
    me = acc.email.lower()
    is_organizer = organizer.email.lower() == me
    mine = next((a for a in ev.attendees if a.email.lower() == me), None)
    change_key = f"{ev.seq:x}{ev.updated:x}"[-16:]
    description = ev.get_extra("description") or ""
    start_tz = "UTC" if ev.all_day else out_tz
    meeting = ev.get_extra("online_meeting")
    resource = {
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": f'W/"{change_key}"',
        "id": inst.id,
        "createdDateTime": graph_stamp(ev.created),
        "lastModifiedDateTime": graph_stamp(ev.updated),
        "changeKey": change_key,
        "categories": [],
        "transactionId": ev.get_extra("transaction_id"),
        "originalStartTimeZone": windows_name(ev.tz),
        "originalEndTimeZone": windows_name(ev.get_extra("end_tz") or ev.tz),
        "iCalUId": ev.ical_uid,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": not ev.all_day,
        "hasAttachments": False,
        "subject": ev.summary or "",
        "bodyPreview": description[:255],
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": ev.all_day,
        "isCancelled": ev.status == CANCELLED,
        "isOrganizer": is_organizer,
        "responseRequested": True,
        "seriesMasterId": inst.master.id if inst.master is not None else None,
        "showAs": ev.show_as if ev.show_as in ("free", "tentative", "busy", "oof", "workingElsewhere") else "unknown",
        "type": event_type(inst),
        "webLink": f"{base}/owa/?itemid={quote(inst.id, safe='')}&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": meeting is not None,
        "onlineMeetingProvider": "teamsForBusiness" if meeting else "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": "organizer" if is_organizer else RESPONSES.get(mine.response, "none")
                           if mine else "none", "time": NULL_TIME},
        "body": {"contentType": "html",
                 "content": f"<html><body>{escape(description)}</body></html>" if description else ""},
        "start": {"dateTime": graph_time(inst.start, start_tz), "timeZone": "UTC" if ev.all_day else out_label},
        "end": {"dateTime": graph_time(inst.end, start_tz), "timeZone": "UTC" if ev.all_day else out_label},
        "location": _location(ev.location),
        "locations": [_location(ev.location)] if ev.location else [],
        "recurrence": None,
        "attendees": [
            {"type": "optional" if a.optional else "required",
             "status": {"response": RESPONSES.get(a.response, "none"), "time": NULL_TIME},
             "emailAddress": {"name": a.name, "address": a.email}}
            for a in ev.attendees if a.email.lower() != organizer.email.lower()
        ],
        "organizer": {"emailAddress": {"name": organizer.name, "address": organizer.email}},
        "onlineMeeting": {"joinUrl": meeting} if meeting else None,
    }
    resource.update(ev.get_extra("raw") or {})  # test control: fields served exactly as given (State.add_event)
    return resource


def _location(name: str | None) -> dict[str, Any]:
    return {"displayName": name or "", "locationType": "default", "uniqueIdType": "unknown",
            "address": {}, "coordinates": {}}


def render_calendar(cal: Calendar) -> dict[str, Any]:
    return {
        "id": cal.id, "name": cal.name, "color": cal.color if cal.color != "#9fe1e7" else "auto",
        "hexColor": "", "isDefaultCalendar": cal.primary, "changeKey": f"{cal.seq:x}", "canShare": cal.primary,
        "canViewPrivateItems": cal.access == "owner", "canEdit": cal.writable,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"], "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": cal.primary, "isRemovable": not cal.primary,
        "owner": {"name": cal.owner.name, "address": cal.owner.email},
    }
