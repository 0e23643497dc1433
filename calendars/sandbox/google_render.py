"""Google Calendar v3 resource shapes (events, calendar list entries) and error bodies."""

from __future__ import annotations

import base64
from typing import Any

from .model import Calendar, Event, epoch_date, iso_local, iso_ms
from .recurrence import master_occurrences
from .views import Instance
from .web import HttpError, Response, json_response

REASON_MESSAGES = {
    "badRequest": "Bad Request",
    "invalid": "Invalid Value",
    "required": "Required",
    "authError": "Invalid Credentials",
    "required_auth": "Login Required.",
    "insufficientPermissions": "Insufficient Permission",
    "forbidden": "Forbidden",
    "requiredAccessLevel": "You need to have writer access to this calendar.",
    "rateLimitExceeded": "Rate Limit Exceeded",
    "userRateLimitExceeded": "User Rate Limit Exceeded",
    "quotaExceeded": "Calendar usage limits exceeded.",
    "notFound": "Not Found",
    "duplicate": "The requested identifier already exists.",
    "deleted": "Resource has been deleted",
    "fullSyncRequired": "Sync token is no longer valid, a full sync is required.",
    "timeRangeEmpty": "The specified time range is empty.",
    "backendError": "Backend Error",
}
DEFAULT_REASON = {
    400: "badRequest", 401: "authError", 403: "rateLimitExceeded", 404: "notFound", 409: "duplicate",
    410: "fullSyncRequired", 429: "rateLimitExceeded", 500: "backendError", 502: "backendError",
    503: "backendError",
}
STATUS_TEXT = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    409: "ALREADY_EXISTS", 410: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
    503: "UNAVAILABLE",
}


def error_response(status: int, reason: str | None = None, message: str | None = None) -> Response:
    """Google's JSON error body; the `reason` is what googleapiclient's HttpError.error_details exposes."""
    reason = reason or DEFAULT_REASON.get(status, "backendError")
    message = message or REASON_MESSAGES.get(reason, "Error")
    item: dict[str, Any] = {"domain": "usageLimits" if "Limit" in reason or reason == "quotaExceeded"
                            else "global", "reason": reason, "message": message}
    headers: list[tuple[str, str]] = []
    if status == 401:
        item.update(location="Authorization", locationType="header")
        headers.append(("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="invalid_token"'))
        if reason == "required":
            item["message"] = "Login Required."
            message = ("Request is missing required authentication credential. Expected OAuth 2 access token, "
                       "login cookie or other valid authentication credential.")
        else:
            message = ("Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                       "cookie or other valid authentication credential.")
    if reason == "insufficientPermissions":
        message = "Request had insufficient authentication scopes."
    body: dict[str, Any] = {"error": {"code": status, "message": message, "errors": [item]}}
    if status in STATUS_TEXT:
        body["error"]["status"] = STATUS_TEXT[status]
    return json_response(body, status, headers)


def fault_body(status: int, reason: str | None, message: str | None, path: str = "") -> Response:
    return error_response(status, reason, message)


def error(status: int, reason: str | None = None, message: str | None = None) -> HttpError:
    return HttpError(error_response(status, reason, message))


def etag(ev: Event) -> str:
    return f'"{ev.updated * 1000 + ev.seq % 1000}"'


def ical_uid(ev: Event) -> str:
    return ev.ical_uid


def html_link(base: str, event_id: str, cal: Calendar) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {cal.id}".encode()).decode().rstrip("=")
    return f"{base}/calendar/event?eid={eid}"


def when(ts: int, all_day: bool, tz: str, out_tz: str | None = None) -> dict[str, str]:
    if all_day:
        return {"date": epoch_date(ts).isoformat()}
    return {"dateTime": iso_local(ts, out_tz or tz), "timeZone": tz}


def render_event(inst: Instance, cal: Calendar, base: str, *, out_tz: str | None = None,
                 with_recurrence: bool = True) -> dict[str, Any]:
    ev = inst.event
    acc = cal.account
    d: dict[str, Any] = {"kind": "calendar#event", "etag": etag(ev), "id": inst.id, "status": ev.status}
    original = inst.original_start
    if ev.status == "cancelled":
        d["updated"] = iso_ms(ev.updated)
        if original is not None and inst.master is not None:
            d["recurringEventId"] = inst.master.id
            d["originalStartTime"] = when(original, inst.master.all_day, inst.master.tz, out_tz)
        return d
    organizer = ev.organizer or cal.owner
    mine = organizer.email.lower() in (acc.email.lower(), cal.id.lower())
    d["htmlLink"] = html_link(base, inst.id, cal)
    d["created"] = iso_ms(ev.created)
    d["updated"] = iso_ms(ev.updated)
    if ev.summary:
        d["summary"] = ev.summary
    description = ev.get_extra("description")
    if description:
        d["description"] = description
    if ev.location:
        d["location"] = ev.location
    if ev.get_extra("colorId"):
        d["colorId"] = ev.get_extra("colorId")
    d["creator"] = {"email": organizer.email, **({"self": True} if mine else {})}
    d["organizer"] = {"email": organizer.email, "displayName": organizer.name, **({"self": True} if mine else {})}
    d["start"] = when(inst.start, ev.all_day, ev.tz, out_tz)
    d["end"] = when(inst.end, ev.all_day, ev.get_extra("end_tz") or ev.tz, out_tz)
    if ev.recurrence and with_recurrence and inst.master is None:
        d["recurrence"] = list(ev.recurrence)
    if inst.master is not None and original is not None:
        d["recurringEventId"] = inst.master.id
        d["originalStartTime"] = when(original, inst.master.all_day, inst.master.tz, out_tz)
    if ev.show_as == "free":
        d["transparency"] = "transparent"
    d["iCalUID"] = ical_uid(ev)
    d["sequence"] = ev.sequence
    if ev.attendees:
        people = []
        for a in ev.attendees:
            item: dict[str, Any] = {"email": a.email}
            if a.name:
                item["displayName"] = a.name
            if a.email.lower() == organizer.email.lower():
                item["organizer"] = True
            if a.email.lower() == acc.email.lower():
                item["self"] = True
            if a.optional:
                item["optional"] = True
            item["responseStatus"] = a.response
            people.append(item)
        d["attendees"] = people
    for key in ("extendedProperties", "conferenceData", "hangoutLink"):
        value = ev.get_extra(key)
        if value is not None:
            d[key] = value
    d["reminders"] = {"useDefault": True}
    d["eventType"] = "default"
    d.update(ev.get_extra("raw") or {})  # test control: fields served exactly as given (State.add_event)
    return d


def render_calendar_entry(cal: Calendar) -> dict[str, Any]:
    d: dict[str, Any] = {
        "kind": "calendar#calendarListEntry", "etag": f'"{1700000000000000 + len(cal.id)}"', "id": cal.id,
        "summary": cal.name, "timeZone": cal.tz, "colorId": "14", "backgroundColor": cal.color,
        "foregroundColor": "#000000", "selected": True, "accessRole": cal.access,
        "defaultReminders": [{"method": "popup", "minutes": 10}] if cal.writable else [],
    }
    if cal.access == "reader" and "#holiday@" in cal.id:
        d["description"] = "Holidays and Observances"
    if cal.primary:
        d["primary"] = True
        d["notificationSettings"] = {"notifications": [{"type": "eventCreation", "method": "email"}]}
        d["conferenceProperties"] = {"allowedConferenceSolutionTypes": ["hangoutsMeet"]}
    return d


def series_first_start(master: Event, now: int) -> int:
    occ = master_occurrences(master, now)
    return occ[0] if occ else master.start
