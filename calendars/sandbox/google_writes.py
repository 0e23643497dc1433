"""Writes of the Google Calendar v3 stand-in: events insert/patch/update/delete with invitations
(`sendUpdates`), and push channels (events.watch, channels.stop)."""

from __future__ import annotations

import secrets
import string
import time
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfoNotFoundError

from .auth import is_loopback_uri
from .google_api import (
    EVENT_ID,
    LIST_CALENDARS,
    READ,
    WRITE,
    api_auth,
    bool_param,
    get_calendar,
    json_body,
    lookup_event,
)
from .google_render import error, etag, ical_uid, render_event
from .model import (
    CANCELLED,
    CONFIRMED,
    GOOGLE,
    NEEDS_ACTION,
    TENTATIVE,
    Attendee,
    Event,
    date_epoch,
    epoch_date,
    zone,
)
from .push import Channel
from .recurrence import RecurrenceError
from .recurrence import validate as validate_recurrence
from .state import Settings, new_event_id
from .views import Instance
from .web import Request, Response, json_response


def _parse_when(obj: Any, label: str, default_tz: str) -> tuple[int, bool, str]:
    if not isinstance(obj, dict) or not (obj.get("date") or obj.get("dateTime")):
        raise error(400, "required", f"Missing {label} time.")
    tz = obj.get("timeZone") or None
    if tz:
        try:
            zone(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise error(400, "invalid", f"Invalid time zone definition for {label} time.") from None
    try:
        if obj.get("date"):
            return date_epoch(date.fromisoformat(obj["date"])), True, tz or default_tz
        text = str(obj["dateTime"])
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise error(400, "invalid", f"Invalid {label} time.") from None
    if parsed.tzinfo is None:
        if not tz:
            raise error(400, "required", f"Missing time zone definition for {label} time.")
        parsed = parsed.replace(tzinfo=zone(tz))
    return int(parsed.timestamp()), False, tz or default_tz


def _parse_attendees(raw: Any, old: tuple[Attendee, ...]) -> tuple[Attendee, ...]:
    if not isinstance(raw, list):
        raise error(400, "invalid", "Invalid attendees.")
    previous = {a.email.lower(): a for a in old}
    out = []
    for item in raw:
        email = item.get("email") if isinstance(item, dict) else None
        if not isinstance(email, str) or "@" not in email:
            raise error(400, "invalid", "Invalid attendee email.")
        before = previous.get(email.lower())
        out.append(Attendee(email, str(item.get("displayName") or (before.name if before else "")),
                            str(item.get("responseStatus") or (before.response if before else NEEDS_ACTION)),
                            bool(item.get("optional", False))))
    return tuple(out)


def _apply(ev: Event, body: dict[str, Any], *, replace: bool, conference: bool,
           settings: Settings | None = None) -> bool:
    """Apply a patch (or a full update with `replace`); returns whether the change is significant. A conference
    asked for on an event that had none (or whose conference failed) is significant: it tells people where to
    meet, as a new place would."""
    cal = ev.calendar
    significant = False
    if replace or "start" in body or "end" in body:
        start_obj = body.get("start") if replace or "start" in body else _when_of(ev, ev.start, ev.tz)
        end_obj = body.get("end") if replace or "end" in body else _when_of(ev, ev.end, ev.get_extra("end_tz"))
        s, s_all_day, tz = _parse_when(start_obj, "start", cal.tz)
        e, e_all_day, end_tz = _parse_when(end_obj, "end", tz)
        if s_all_day != e_all_day:
            raise error(400, "invalid", "Start and end times must either both be date or both be dateTime.")
        if e < s or (s_all_day and e == s):
            raise error(400, "timeRangeEmpty")
        significant = (s, e) != (ev.start, ev.end)
        ev.start, ev.end, ev.all_day, ev.tz = s, e, s_all_day, tz
        ev.set_extra("end_tz", end_tz if end_tz != tz else None)
    for key, attr in (("summary", "summary"), ("location", "location")):
        if key in body or replace:
            value = body.get(key) or None
            significant = significant or (attr == "location" and value != ev.location)
            setattr(ev, attr, value)
    for key in ("description", "extendedProperties", "colorId"):
        if key in body or replace:
            ev.set_extra(key, body.get(key) or None)
    if "transparency" in body or replace:
        ev.show_as = "free" if body.get("transparency") == "transparent" else "busy"
    if "status" in body:
        if body["status"] not in (CONFIRMED, TENTATIVE, CANCELLED):
            raise error(400, "invalid", "Invalid value for status.")
        ev.status = body["status"]
    if "attendees" in body or replace:
        new = _parse_attendees(body.get("attendees") or [], ev.attendees)
        significant = significant or {a.email for a in new} != {a.email for a in ev.attendees}
        ev.attendees = new
    if "recurrence" in body or (replace and ev.recurrence):
        lines = tuple(body.get("recurrence") or ())
        if ev.recurring_id and lines:
            raise error(400, "invalid", "Cannot set recurrence on an instance of a recurring event.")
        if lines:
            try:
                validate_recurrence(lines, ev.start, ev.all_day, ev.tz)
            except RecurrenceError:
                raise error(400, "invalid", "Invalid recurrence rule.") from None
        significant = significant or lines != (ev.recurrence or ())
        ev.recurrence = lines or None
    if conference and isinstance(body.get("conferenceData"), dict):
        significant = _conference(ev, body["conferenceData"], settings or Settings()) or significant
    return significant


def _when_of(ev: Event, ts: int, tz: str | None) -> dict[str, str]:
    if ev.all_day:
        return {"date": epoch_date(ts).isoformat()}
    tz = tz or ev.tz
    return {"dateTime": datetime.fromtimestamp(ts, zone(tz)).isoformat(), "timeZone": tz}


def _conference(ev: Event, data: dict[str, Any], settings: Settings) -> bool:
    """A Meet conference for the event, as Google documents it: `createRequest.status.statusCode` is "pending"
    until the conference exists, then "success" with the video entry point and `hangoutLink`, or "failure" without
    entry points (`settings.google_conference_failures`). A request with the requestId of the current one changes
    nothing ("the request is ignored"); a new requestId replaces a conference that failed. A conference that is
    made or still pending stays as it is (the sandbox does not model replacing one). Returns whether a conference
    was asked for."""
    request = data.get("createRequest") or {}
    if not isinstance(request, dict) or not request:
        return False
    current = ev.get_extra("conferenceData")
    if current and (current["createRequest"]["status"]["statusCode"] != "failure"
                    or current["createRequest"]["requestId"] == request.get("requestId")):
        return False
    solution = (request.get("conferenceSolutionKey") or {}).get("type")
    if solution != "hangoutsMeet":
        raise error(400, "invalid", "Invalid conference type value.")
    if not isinstance(request.get("requestId"), str) or not request["requestId"]:
        raise error(400, "invalid", "Invalid conference request id.")
    ev.set_extra("conferenceData", {
        "createRequest": {"requestId": request["requestId"], "conferenceSolutionKey": {"type": "hangoutsMeet"},
                          "status": {"statusCode": "pending"}},
    })
    ev.set_extra("conference_pending_reads", settings.google_conference_pending_reads)
    fails = settings.google_conference_failures > 0
    if fails:
        settings.google_conference_failures -= 1
    ev.set_extra("conference_fails", fails or None)
    return True


def conference_progress(ev: Event) -> None:
    """One read of the event: a pending conference gets closer to done, and is made when no reads are left."""
    data = ev.get_extra("conferenceData")
    if not data or data["createRequest"]["status"]["statusCode"] != "pending":
        return
    left = ev.get_extra("conference_pending_reads") or 0
    if left < 0:
        return  # stuck: the sandbox's stand-in for a conference Google never finishes
    if left > 0:
        ev.set_extra("conference_pending_reads", left - 1)
        return
    if ev.get_extra("conference_fails"):
        ev.set_extra("conference_fails", None)
        ev.set_extra("conferenceData", {"createRequest": {**data["createRequest"],
                                                          "status": {"statusCode": "failure"}}})
        return
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))
    link = f"https://meet.google.com/{letters[:3]}-{letters[3:7]}-{letters[7:]}"
    ev.set_extra("hangoutLink", link)
    ev.set_extra("conferenceData", {
        "createRequest": {**data["createRequest"], "status": {"statusCode": "success"}},
        "entryPoints": [{"entryPointType": "video", "uri": link, "label": link[8:]}],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet",
                               "iconUri": "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/"
                                          "logo_meet_2020q4_color_2x_web_512dp.png"},
        "conferenceId": link.rsplit("/", 1)[1],
    })


def _send_updates(req: Request) -> str:
    value = req.q("sendUpdates")
    if value is None:
        return "all" if bool_param(req, "sendNotifications") else "none"
    if value not in ("all", "externalOnly", "none"):
        raise error(400, "invalid", f"Invalid value for: {value} is not a valid value")
    return value


def _recipients(ev: Event, send: str, attendees: tuple[Attendee, ...]) -> list[Attendee]:
    if send == "none":
        return []
    organizer = (ev.organizer.email if ev.organizer else ev.calendar.account.email).lower()
    domain = organizer.rpartition("@")[2]
    return [a for a in attendees if a.email.lower() != organizer
            and (send == "all" or a.email.lower().rpartition("@")[2] != domain)]


def _invite_changes(req: Request, ev: Event, send: str, old: tuple[Attendee, ...], significant: bool) -> None:
    st = req.state
    before = {a.email.lower() for a in old}
    after = {a.email.lower() for a in ev.attendees}
    st.record_invites(GOOGLE, ev, "invite", [a for a in _recipients(ev, send, ev.attendees)
                                             if a.email.lower() not in before])
    st.record_invites(GOOGLE, ev, "cancel", [a for a in _recipients(ev, send, old) if a.email.lower() not in after])
    if significant:
        st.record_invites(GOOGLE, ev, "update", [a for a in _recipients(ev, send, ev.attendees)
                                                 if a.email.lower() in before])


def insert_event(req: Request) -> Response:
    st = req.state
    with st.lock:
        acc, _ = api_auth(req, WRITE)
        cal = get_calendar(acc, req.params["cal"])
        if not cal.writable:
            raise error(403, "requiredAccessLevel")
        body = json_body(req)
        send = _send_updates(req)
        event_id = body.get("id")
        if event_id is not None:
            if not isinstance(event_id, str) or not EVENT_ID.fullmatch(event_id):
                raise error(400, "invalid", "Invalid resource id value.")
            if event_id in cal.events:
                raise error(409, "duplicate")
        uid = body.get("iCalUID")
        if uid and any(ical_uid(e) == uid for e in cal.events.values()):
            raise error(409, "duplicate")
        ev = Event(event_id or new_event_id(GOOGLE), cal, None, 0, 0, cal.tz, organizer=cal.owner,
                   uid=uid if isinstance(uid, str) and uid else None)
        _apply(ev, body, replace=True, conference=req.q("conferenceDataVersion") == "1", settings=st.settings)
        st.insert(cal, ev)
        st.record_invites(GOOGLE, ev, "invite", _recipients(ev, send, ev.attendees))
        return json_response(render_event(Instance(ev.id, ev, ev.start, ev.end, None), cal, req.base_url))


def modify_event(req: Request) -> Response:
    st = req.state
    replace = req.method == "PUT"
    with st.lock:
        cal, inst = lookup_event(req, WRITE)
        if not cal.writable:
            raise error(403, "requiredAccessLevel")
        body = json_body(req)
        send = _send_updates(req)
        if_match = req.headers.get("If-Match")
        if if_match and if_match != etag(inst.event):
            raise error(412, "conditionNotMet", "Precondition Failed")
        old = inst.event.attendees
        was_deleted = inst.event.status == CANCELLED
        ev, significant = st.edit(inst, lambda work: _apply(
            work, body, replace=replace, conference=req.q("conferenceDataVersion") == "1", settings=st.settings))
        if significant:
            ev.sequence += 1
        st.touch(ev, "deleted" if ev.status == CANCELLED else "updated")
        if was_deleted and ev.status != CANCELLED:
            # A deleted event set back to "confirmed" reappears for its attendees: Google invites them again.
            st.record_invites(GOOGLE, ev, "invite", _recipients(ev, send, ev.attendees))
        else:
            _invite_changes(req, ev, send, old, significant)
        master = cal.events.get(ev.recurring_id) if ev.recurring_id else None
        return json_response(render_event(Instance(ev.id, ev, ev.start, ev.end, master), cal, req.base_url))


def delete_event(req: Request) -> Response:
    st = req.state
    with st.lock:
        cal, inst = lookup_event(req, WRITE)
        if not cal.writable:
            raise error(403, "requiredAccessLevel")
        send = _send_updates(req)
        if inst.cancelled:
            raise error(410, "deleted")
        ev = st.cancel(inst)
        st.record_invites(GOOGLE, ev, "cancel", _recipients(ev, send, ev.attendees))
    return Response(204)


def watch(req: Request) -> Response:
    st = req.state
    with st.lock:
        acc, at = api_auth(req, READ)
        cal = get_calendar(acc, req.params["cal"])
        body = json_body(req)
        channel_id, address = body.get("id"), body.get("address")
        if body.get("type") not in ("web_hook", "webhook"):
            raise error(400, "invalid", "Invalid value for: type")
        if not isinstance(channel_id, str) or not channel_id:
            raise error(400, "required", "Required: id")
        if not isinstance(address, str) or not (address.startswith("https://") or is_loopback_uri(address)):
            raise error(400, "push.webhookUrlNotHttps", f"WebHook callback must be HTTPS: {address}")
        if channel_id in st.channels:
            raise error(400, "invalid", f"Channel id {channel_id} not unique")
        try:
            ttl = int((body.get("params") or {}).get("ttl", 604800))
        except (TypeError, ValueError):
            raise error(400, "invalid", "Invalid value for: ttl") from None
        ttl = max(1, min(ttl, 2592000))
        channel = Channel(
            id=channel_id, resource_id=cal.resource_id,
            resource_uri=f"{req.base_url}/calendar/v3/calendars/{quote(req.params['cal'], safe='')}/events?alt=json",
            token=body.get("token"), address=address, expiration_ms=int((time.time() + ttl) * 1000),
            account=acc.key, calendar_id=cal.id, client_id=at.grant.client_id,
        )
        st.channels[channel_id] = channel
        st.push.google_sync(channel)
        return json_response(channel.as_api())


def stop_channel(req: Request) -> Response:
    st = req.state
    with st.lock:
        api_auth(req, READ | LIST_CALENDARS)
        body = json_body(req)
        channel = st.channels.get(str(body.get("id")))
        if channel is None or channel.resource_id != body.get("resourceId"):
            raise error(404, "notFound", f"Channel '{body.get('id')}' not found for project 'sandbox'")
        del st.channels[channel.id]
    return Response(204)
