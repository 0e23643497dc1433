"""Microsoft Graph v1.0: /me, calendars, calendarView (+ delta), events CRUD and cancel, and subscriptions.

Deviations: event creation does not accept `recurrence` (400), and subscriptions accept http notification
URLs on loopback besides https.
"""

from __future__ import annotations

import random
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from .auth import AccessToken, is_loopback_uri
from .data import graph_ical_uid
from .microsoft_delta import delta, parse_graph_time, preferences
from .microsoft_render import graph_error, graph_visible, render_calendar, render_event, resolve_zone
from .model import MICROSOFT, Account, Attendee, Calendar, Event, date_epoch, epoch_date
from .push import Subscription
from .state import NotFound, Settings, new_event_id
from .views import Instance, expand, overlaps
from .web import Request, Response, Router, json_response

READ = frozenset({"Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared", "Calendars.ReadWrite.Shared"})
WRITE = frozenset({"Calendars.ReadWrite", "Calendars.ReadWrite.Shared"})
PROFILE = frozenset({"User.Read", "User.ReadBasic.All"})
MAX_SUBSCRIPTION_MINUTES = 4230
SHOW_AS = ("free", "tentative", "busy", "oof", "workingElsewhere", "unknown")


def graph_auth(req: Request, allowed: frozenset[str]) -> tuple[Account, AccessToken]:
    st = req.state
    value = req.bearer()
    if value is None:
        raise graph_error(401, "InvalidAuthenticationToken", "Access token is empty.")
    at = st.access_tokens.get(value)
    if at is None or at.grant.provider != MICROSOFT:
        raise graph_error(401, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).")
    if at.revoked or at.grant.revoked:
        raise graph_error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
    if time.time() >= at.expires_at:
        raise graph_error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
    if not allowed.intersection(at.scopes):
        if allowed is PROFILE:
            raise graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        raise graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    return st.accounts[at.account], at


def _calendar(acc: Account, calendar_id: str | None) -> Calendar:
    if calendar_id is None:
        return acc.primary
    cal = acc.calendars.get(calendar_id)
    if cal is None:
        raise graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return cal


def _body(req: Request) -> dict[str, Any]:
    try:
        body = req.json()
    except (ValueError, UnicodeDecodeError):
        raise graph_error(400, "BadRequest", "Unable to read JSON request payload.") from None
    if not isinstance(body, dict):
        raise graph_error(400, "BadRequest", "Empty Payload. JSON content expected.")
    return body


# --- profile and calendars -----------------------------------------------------------------------------------


def me(req: Request) -> Response:
    with req.state.lock:
        acc, _ = graph_auth(req, PROFILE)
    given, _, surname = acc.name.partition(" ")
    return json_response({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity", "businessPhones": [],
        "displayName": acc.name, "givenName": given, "jobTitle": None, "mail": acc.email, "mobilePhone": None,
        "officeLocation": None, "preferredLanguage": "en-US", "surname": surname or None,
        "userPrincipalName": acc.email, "id": acc.uid,
    })


def calendars(req: Request) -> Response:
    with req.state.lock:
        acc, _ = graph_auth(req, READ)
        cals = list(acc.calendars.values())
        top = _int(req, "$top", 10)
        skip = _int(req, "$skip", 0)
        body: dict[str, Any] = {
            "@odata.context": f"https://graph.microsoft.com/v1.0/$metadata#users('{acc.uid}')/calendars",
            "value": [render_calendar(c) for c in cals[skip:skip + top]],
        }
        if skip + top < len(cals):
            body["@odata.nextLink"] = f"{req.base_url}/v1.0/me/calendars?$top={top}&$skip={skip + top}"
    return json_response(body)


def calendar_get(req: Request) -> Response:
    with req.state.lock:
        acc, _ = graph_auth(req, READ)
        return json_response(render_calendar(_calendar(acc, req.params.get("cal"))))


def _int(req: Request, name: str, default: int) -> int:
    raw = req.q_ci(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise graph_error(400, "BadRequest", f"Invalid value '{raw}' for query parameter {name}.")
    return int(raw)


def calendar_delta(req: Request) -> Response:
    with req.state.lock:
        acc, _ = graph_auth(req, READ)
        cal = _calendar(acc, req.params.get("cal"))
    return delta(req, acc, cal)


def calendar_view(req: Request) -> Response:
    """Plain (non-delta) calendarView with $top/$skip paging, ordered by start."""
    st = req.state
    prefs = preferences(req)
    with st.lock:
        acc, _ = graph_auth(req, READ)
        cal = _calendar(acc, req.params.get("cal"))
        start, end = req.q_ci("startDateTime"), req.q_ci("endDateTime")
        if not start or not end:
            raise graph_error(400, "ErrorInvalidParameter", "This request requires a time window specified by the "
                                                            "query string parameters StartDateTime and EndDateTime.")
        try:
            lo, hi = parse_graph_time(start), parse_graph_time(end)
        except ValueError:
            raise graph_error(400, "ErrorInvalidParameter", "Invalid StartDateTime or EndDateTime.") from None
        found = sorted((i for i in expand(cal, st.now()) if graph_visible(i) and overlaps(i, cal, lo, hi)),
                       key=lambda i: (i.start, i.id))
        top = min(_int(req, "$top", prefs.page_size or 10), 1000)
        skip = _int(req, "$skip", 0)
        body: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
                                "value": [render_event(i, cal, req.base_url, prefs.tz, prefs.tz_label)
                                          for i in found[skip:skip + top]]}
        if skip + top < len(found):
            query = urlencode({"startDateTime": start, "endDateTime": end, "$top": top, "$skip": skip + top})
            body["@odata.nextLink"] = f"{req.base_url}{req.path}?{query}"
    return json_response(body, headers=prefs.headers())


# --- events ------------------------------------------------------------------------------------------------


def _when(obj: Any, label: str, all_day: bool) -> tuple[int, str]:
    if not isinstance(obj, dict) or not obj.get("dateTime"):
        raise graph_error(400, "ErrorInvalidRequest", f"Your request can't be completed. The {label} time is "
                                                      "required.")
    label_tz = obj.get("timeZone") or ""
    tz = resolve_zone(label_tz)
    if tz is None:
        raise graph_error(400, "TimeZoneNotSupportedException", "A valid TimeZone value must be specified. The "
                                                                f"following TimeZone value is not supported: "
                                                                f"'{label_tz}'.")
    try:
        ts = parse_graph_time(str(obj["dateTime"]), tz)
    except ValueError:
        raise graph_error(400, "ErrorInvalidRequest", f"Cannot convert the literal '{obj['dateTime']}' to the "
                                                      "expected type 'Edm.DateTimeOffset'.") from None
    if all_day:  # all-day events float: midnight to midnight of the given dates, whatever the zone
        naive = datetime.fromisoformat(str(obj["dateTime"])[:19])
        if (naive.hour, naive.minute, naive.second) != (0, 0, 0):
            raise graph_error(400, "ErrorInvalidRequest", "All-day events must start and end at midnight.")
        ts = date_epoch(naive.date())
    return ts, tz


def _attendees(raw: Any, old: tuple[Attendee, ...]) -> tuple[Attendee, ...]:
    if not isinstance(raw, list):
        raise graph_error(400, "BadRequest", "Invalid attendees.")
    previous = {a.email.lower(): a for a in old}
    out = []
    for item in raw:
        address = ((item or {}).get("emailAddress") or {}).get("address") if isinstance(item, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise graph_error(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
        before = previous.get(address.lower())
        name = item["emailAddress"].get("name") or (before.name if before else address)
        out.append(Attendee(address, name, before.response if before else "needsAction",
                            item.get("type") == "optional"))
    return tuple(out)


def _apply(ev: Event, body: dict[str, Any], *, creating: bool, settings: Settings | None = None) -> bool:
    """Apply Graph event fields; returns whether times, location, attendees or the online meeting changed."""
    significant = False
    all_day = bool(body.get("isAllDay", ev.all_day))
    if creating or "start" in body or "end" in body or "isAllDay" in body:
        s, tz = _when(body.get("start") if "start" in body else _dtz(ev, ev.start), "start", all_day)
        e, end_tz = _when(body.get("end") if "end" in body else _dtz(ev, ev.end), "end", all_day)
        if e < s or (all_day and e == s):
            raise graph_error(400, "ErrorInvalidRequest", "The end time must be after the start time.")
        significant = (s, e, all_day) != (ev.start, ev.end, ev.all_day)
        ev.start, ev.end, ev.all_day, ev.tz = s, e, all_day, tz
        ev.set_extra("end_tz", end_tz if end_tz != tz else None)
    if "subject" in body:
        ev.summary = body.get("subject") or None
    if "body" in body:
        ev.set_extra("description", ((body.get("body") or {}).get("content")) or None)
    if "location" in body:
        loc = ((body.get("location") or {}).get("displayName")) or None
        significant = significant or loc != ev.location
        ev.location = loc
    if "showAs" in body:
        if body["showAs"] not in SHOW_AS:
            raise graph_error(400, "BadRequest", f"Invalid value '{body['showAs']}' for showAs.")
        ev.show_as = body["showAs"]
    if "attendees" in body:
        new = _attendees(body.get("attendees") or [], ev.attendees)
        significant = significant or {a.email.lower() for a in new} != {a.email.lower() for a in ev.attendees}
        ev.attendees = new
    provider = body.get("onlineMeetingProvider")
    if provider is not None and provider not in ("teamsForBusiness", "unknown"):
        # The sandbox's mailboxes allow Teams only (a calendar's allowedOnlineMeetingProviders).
        raise graph_error(400, "ErrorInvalidRequest", f"Online meeting provider '{provider}' is not allowed.")
    if body.get("isOnlineMeeting") and not ev.get_extra("online_meeting"):
        settings = settings or Settings()
        if settings.microsoft_online_meeting_failures > 0:
            # Graph's way when the mailbox cannot make the meeting: the event is made (201), without it.
            settings.microsoft_online_meeting_failures -= 1
        else:
            ev.set_extra("online_meeting", "https://teams.microsoft.com/l/meetup-join/19%3ameeting_"
                                           f"{secrets.token_urlsafe(24)}%40thread.v2/0")
            # Outlook writes the meeting into the event and sends its attendees the update.
            significant = significant or not creating
    return significant


def _dtz(ev: Event, ts: int) -> dict[str, str]:
    if ev.all_day:
        return {"dateTime": epoch_date(ts).isoformat() + "T00:00:00", "timeZone": "UTC"}
    return {"dateTime": datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _organizer_is_me(ev: Event) -> bool:
    acc = ev.calendar.account
    return ev.organizer is None or ev.organizer.email.lower() == acc.email.lower()


def create_event(req: Request) -> Response:
    st = req.state
    prefs = preferences(req)
    with st.lock:
        acc, _ = graph_auth(req, WRITE)
        cal = _calendar(acc, req.params.get("cal"))
        if not cal.writable:
            raise graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        body = _body(req)
        txn = body.get("transactionId")
        if isinstance(txn, str) and txn in acc.transactions:
            try:
                inst = st.find_instance(acc, acc.transactions[txn])
            except NotFound:
                inst = None
            if inst is not None and graph_visible(inst):  # a retried create: answer with the first result
                return json_response(render_event(inst, inst.event.calendar, req.base_url, prefs.tz,
                                                  prefs.tz_label), 201, prefs.headers())
        if body.get("recurrence"):
            raise graph_error(400, "ErrorInvalidRequest", "The sandbox does not support creating recurring events.")
        ev = Event(new_event_id(MICROSOFT), cal, None, 0, 0, cal.tz, organizer=cal.owner,
                   uid=graph_ical_uid(_rng))
        _apply(ev, body, creating=True, settings=st.settings)
        if isinstance(txn, str) and txn:
            ev.set_extra("transaction_id", txn)
            acc.transactions[txn] = ev.id
        st.insert(cal, ev)
        st.record_invites(MICROSOFT, ev, "invite", ev.attendees)
        inst = Instance(ev.id, ev, ev.start, ev.end, None)
        return json_response(render_event(inst, cal, req.base_url, prefs.tz, prefs.tz_label), 201, prefs.headers())


def _find(req: Request, acc: Account) -> Instance:
    try:
        inst = req.state.find_instance(acc, req.params["event"], req.params.get("cal"))
    except NotFound:
        inst = None
    if inst is None or not graph_visible(inst):
        raise graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return inst


def _find_writable(req: Request) -> Instance:
    """The event a write names, in a calendar the caller may change (call with the state's lock held)."""
    acc, _ = graph_auth(req, WRITE)
    inst = _find(req, acc)
    if not inst.event.calendar.writable:
        raise graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
    return inst


def get_event(req: Request) -> Response:
    prefs = preferences(req)
    with req.state.lock:
        acc, _ = graph_auth(req, READ)
        inst = _find(req, acc)
        return json_response(render_event(inst, inst.event.calendar, req.base_url, prefs.tz, prefs.tz_label),
                             headers=prefs.headers())


def update_event(req: Request) -> Response:
    st = req.state
    prefs = preferences(req)
    with st.lock:
        inst = _find_writable(req)
        body = _body(req)
        old = inst.event.attendees
        ev, significant = st.edit(inst, lambda work: _apply(work, body, creating=False, settings=st.settings))
        if significant:
            ev.sequence += 1
        st.touch(ev, "updated")
        if _organizer_is_me(ev):
            before, after = {a.email.lower() for a in old}, {a.email.lower() for a in ev.attendees}
            st.record_invites(MICROSOFT, ev, "invite", [a for a in ev.attendees if a.email.lower() not in before])
            st.record_invites(MICROSOFT, ev, "cancel", [a for a in old if a.email.lower() not in after])
            if significant:
                st.record_invites(MICROSOFT, ev, "update", [a for a in ev.attendees if a.email.lower() in before])
        master = ev.calendar.events.get(ev.recurring_id) if ev.recurring_id else None
        inst = Instance(ev.id, ev, ev.start, ev.end, master)
        return json_response(render_event(inst, ev.calendar, req.base_url, prefs.tz, prefs.tz_label),
                             headers=prefs.headers())


def delete_event(req: Request) -> Response:
    st = req.state
    with st.lock:
        inst = _find_writable(req)
        ev = st.cancel(inst, hard=True)
        if _organizer_is_me(ev):
            st.record_invites(MICROSOFT, ev, "cancel", ev.attendees)
    return Response(204)


def cancel_event(req: Request) -> Response:
    """`POST /events/{id}/cancel` with `{"Comment": "..."}` (optional): the organizer cancels a meeting with a
    message to the attendees. As Graph documents it: 202 Accepted without a body; every attendee gets a
    cancellation carrying the comment; the event moves to Deleted Items, so it is gone from the calendar and the
    delta feed reports it removed. An attendee calling it gets 400.
    """
    st = req.state
    with st.lock:
        inst = _find_writable(req)
        body = _body(req) if req.body else {}
        # Graph reads property names regardless of case ("Comment" in its own samples, "comment" elsewhere).
        comment = next((value for key, value in body.items() if key.lower() == "comment"), None)
        if comment is not None and not isinstance(comment, str):
            raise graph_error(400, "BadRequest", "Invalid value for parameter 'Comment'.")
        if not _organizer_is_me(inst.event):
            raise graph_error(400, "ErrorInvalidRequest", "Your request can't be completed. You need to be an "
                                                          "organizer to cancel a meeting.")
        ev = st.cancel(inst, hard=True)
        st.record_invites(MICROSOFT, ev, "cancel", ev.attendees, comment=comment or None)
    return Response(202)


# --- subscriptions -----------------------------------------------------------------------------------------

RESOURCE = re.compile(r"/?(?:me|users/(?P<user>[^/]+))/(?:events|calendar/events|calendars/(?P<cal>[^/]+)/events)",
                      re.IGNORECASE)


def _expiration(value: Any) -> int:
    try:
        ts = parse_graph_time(str(value))
    except ValueError:
        raise graph_error(400, "InvalidRequest", "expirationDateTime is not a valid date and time.") from None
    now = time.time()
    if ts <= now:
        raise graph_error(400, "InvalidRequest", "Subscription expiration can only be in the future.")
    if ts > now + MAX_SUBSCRIPTION_MINUTES * 60:
        raise graph_error(400, "InvalidRequest", f"Subscription expiration can only be {MAX_SUBSCRIPTION_MINUTES} "
                                                 "minutes in the future.")
    return ts


def create_subscription(req: Request) -> Response:
    st = req.state
    with st.lock:
        acc, at = graph_auth(req, READ)
        body = _body(req)
        change_types = tuple(t.strip() for t in str(body.get("changeType") or "").split(",") if t.strip())
        if not change_types or any(t not in ("created", "updated", "deleted") for t in change_types):
            raise graph_error(400, "InvalidRequest", "changeType must be a combination of created, updated, deleted.")
        url = body.get("notificationUrl")
        if not isinstance(url, str) or not (url.startswith("https://") or is_loopback_uri(url)):
            raise graph_error(400, "InvalidRequest", "Invalid notification url. The notificationUrl must be HTTPS.")
        match = RESOURCE.fullmatch(str(body.get("resource") or ""))
        user = match.group("user") if match else None
        if match is None or (user and user.lower() not in (acc.uid.lower(), acc.email.lower())):
            raise graph_error(400, "InvalidRequest", f"Resource '{body.get('resource')}' is not supported.")
        cal_id = match.group("cal")
        if cal_id is not None:
            _calendar(acc, cal_id)
        expiration = _expiration(body.get("expirationDateTime"))
        client_state = body.get("clientState")
        if client_state is not None and (not isinstance(client_state, str) or len(client_state) > 128):
            raise graph_error(400, "InvalidRequest", "clientState must be a string of at most 128 characters.")
        lifecycle = body.get("lifecycleNotificationUrl")
        timeout = st.settings.validation_timeout
    # The handshake runs without the lock: the receiver may well call the sandbox while answering.
    for target in filter(None, (url, lifecycle)):
        ok, _ = st.push.validate(target, timeout)
        if not ok:
            raise graph_error(400, "InvalidRequest", "Subscription validation request failed. Notification "
                                                     "endpoint must respond with 200 OK to validation request.")
    sub = Subscription(
        id=str(uuid.uuid4()), account=acc.key, resource=str(body["resource"]), calendar_id=cal_id,
        change_types=change_types, notification_url=url, client_state=client_state, expiration=expiration,
        client_id=at.grant.client_id, tenant_id=acc.tenant, lifecycle_url=lifecycle,
    )
    with st.lock:
        st.subscriptions[sub.id] = sub
    return json_response(sub.as_api(), 201)


def _subscription(req: Request) -> tuple[Subscription, AccessToken]:
    _, at = graph_auth(req, READ)
    sub = req.state.subscriptions.get(req.params["sub"])
    if sub is None or sub.client_id != at.grant.client_id:
        raise graph_error(404, "ResourceNotFound", "The object was not found.")
    return sub, at


def subscription_get(req: Request) -> Response:
    with req.state.lock:
        sub, _ = _subscription(req)
        return json_response(sub.as_api())


def subscription_renew(req: Request) -> Response:
    with req.state.lock:
        sub, _ = _subscription(req)
        body = _body(req)
        if "expirationDateTime" in body:
            sub.expiration = _expiration(body["expirationDateTime"])
        return json_response(sub.as_api())


def subscription_delete(req: Request) -> Response:
    with req.state.lock:
        sub, _ = _subscription(req)
        del req.state.subscriptions[sub.id]
    return Response(204)


def subscription_list(req: Request) -> Response:
    with req.state.lock:
        _, at = graph_auth(req, READ)
        subs = [s.as_api() for s in req.state.subscriptions.values() if s.client_id == at.grant.client_id]
    return json_response({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions", "value": subs})


_rng = random.SystemRandom()


def routes() -> Router:
    r = Router()
    me_ = "/v1.0/me"
    cal = r"/calendars/(?P<cal>[^/]+)"
    r.add("GET", me_, me)
    r.add("GET", me_ + "/calendars", calendars)
    r.add("GET", me_ + "/calendar", calendar_get)
    r.add("GET", me_ + cal, calendar_get)
    for prefix in (me_, me_ + "/calendar", me_ + cal):
        r.add("GET", prefix + "/calendarView/delta", calendar_delta)
        r.add("GET", prefix + "/calendarView", calendar_view)
        r.add("POST", prefix + "/events", create_event)
        r.add("GET", prefix + r"/events/(?P<event>[^/]+)", get_event)
        r.add("PATCH", prefix + r"/events/(?P<event>[^/]+)", update_event)
        r.add("DELETE", prefix + r"/events/(?P<event>[^/]+)", delete_event)
        r.add("POST", prefix + r"/events/(?P<event>[^/]+)/cancel", cancel_event)
    r.add("GET", "/v1.0/subscriptions", subscription_list)
    r.add("POST", "/v1.0/subscriptions", create_subscription)
    r.add("GET", r"/v1.0/subscriptions/(?P<sub>[^/]+)", subscription_get)
    r.add("PATCH", r"/v1.0/subscriptions/(?P<sub>[^/]+)", subscription_renew)
    r.add("DELETE", r"/v1.0/subscriptions/(?P<sub>[^/]+)", subscription_delete)
    return r

