"""The `/_sandbox/` control API (JSON) and the small HTML pages, served on every listener.

The HTML forms have no CSRF protection: the sandbox listens on loopback only and holds no real data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from . import google_calendar
from .model import GOOGLE, PROVIDERS, Account, iso_local, zone
from .pages import esc, page
from .state import NotFound, State
from .web import HttpError, Request, Response, Router, json_response, redirect

SETTINGS = ("google_token_lifetime", "microsoft_token_lifetime", "code_lifetime", "push_timeout",
            "validation_timeout", "allow_loopback_redirects", "google_conference_pending_reads",
            "google_conference_failures", "microsoft_online_meeting_failures")
FAULT_FIELDS = ("path", "method", "listener", "status", "delay", "retry_after", "body", "reason", "count", "nth")


def bad(message: str, status: int = 400) -> HttpError:
    return HttpError(json_response({"error": message}, status))


def body_of(req: Request) -> dict[str, Any]:
    if "application/json" in req.headers.get("Content-Type", "") or req.body[:1] in (b"{", b"["):
        try:
            data = req.json()
        except ValueError:
            raise bad("invalid JSON") from None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise bad("expected a JSON object")
        return data
    return dict(req.form())


def _account(st: State, data: dict[str, Any]) -> Account:
    provider, email = data.get("provider"), data.get("email")
    if provider not in PROVIDERS or not isinstance(email, str):
        raise bad("provider (google|microsoft) and email are required")
    try:
        return st.account(provider, email)
    except NotFound as exc:
        raise bad(str(exc), 404) from None


def _time(value: Any, tz: str) -> Any:
    """ISO date → date, ISO datetime with offset → itself, naive datetime → in the account's zone."""
    if not isinstance(value, str) or not value:
        return value
    if len(value) == 10:
        return date.fromisoformat(value)
    parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz))


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as exc:
        raise bad(str(exc), 404) from None
    except (ValueError, TypeError) as exc:
        raise bad(str(exc)) from None


def account_summary(acc: Account) -> dict[str, Any]:
    return {
        "provider": acc.provider, "email": acc.email, "name": acc.name, "tz": acc.tz, "id": acc.uid,
        "tenant": acc.tenant or None, "kind": acc.kind, "events": acc.event_count(),
        "calendars": [{"id": c.id, "name": c.name, "primary": c.primary, "access": c.access,
                       "events": len(c.events)} for c in acc.calendars.values()],
    }


def event_summary(ev: Any, tz: str) -> dict[str, Any]:
    return {"id": ev.id, "summary": ev.summary, "start": iso_local(ev.start, tz), "end": iso_local(ev.end, tz),
            "calendar_id": ev.calendar.id, "status": ev.status, "all_day": ev.all_day}


# --- JSON endpoints ----------------------------------------------------------------------------------------


def reset(req: Request) -> Response:
    req.state.reset()
    return json_response({"ok": True})


def state_summary(req: Request) -> Response:
    st = req.state
    with st.lock:
        return json_response({
            "urls": st.urls, "accounts": [account_summary(a) for a in st.accounts.values()],
            "clients": [{"provider": c.provider, "client_id": c.client_id, "redirect_uris": sorted(c.redirect_uris)}
                        for c in st.clients.values()],
            "settings": {k: getattr(st.settings, k) for k in SETTINGS}, "faults": st.faults.list(),
        })


def accounts(req: Request) -> Response:
    st = req.state
    with st.lock:
        return json_response([account_summary(a) for a in st.accounts.values()])


def create_account(req: Request) -> Response:
    data = body_of(req)
    events = data.get("events")
    acc = _call(req.state.create_account, data.get("provider"), str(data.get("email") or ""),
                name=data.get("name"), tz=data.get("tz") or "UTC", kind=data.get("kind") or "work",
                events=int(events) if events not in (None, "") else None)
    if acc.provider == GOOGLE and req.state.urls.get("google"):
        # Like Google, whose events sit ready to be listed: the first sync of a big account meets no cold start.
        google_calendar.warm_in_background(req.state, list(acc.calendars.values()), req.state.urls["google"])
    return json_response(account_summary(acc), 201)


def add_event(req: Request) -> Response:
    st = req.state
    data = body_of(req)
    acc = _account(st, data)
    attendees = data.get("attendees") or []
    if isinstance(attendees, str):
        attendees = [a.strip() for a in attendees.split(",") if a.strip()]
    tz = data.get("tz") or acc.tz
    ev = _call(st.add_event, acc.provider, acc.email, summary=data.get("summary"),
               start=_call(_time, data.get("start"), tz), end=_call(_time, data.get("end"), tz),
               calendar_id=data.get("calendar_id") or None, tz=tz,
               attendees=attendees, location=data.get("location"), show_as=data.get("show_as") or "busy",
               recurrence=data.get("recurrence"), raw=data.get("raw"))
    return json_response(event_summary(ev, acc.tz), 201)


def move_event(req: Request) -> Response:
    st = req.state
    data = body_of(req)
    acc = _account(st, data)
    ev = _call(st.move_event, acc.provider, acc.email, str(data.get("event_id")),
               start=_call(_time, data.get("start"), acc.tz), end=_call(_time, data.get("end"), acc.tz),
               calendar_id=data.get("calendar_id") or None)
    return json_response(event_summary(ev, acc.tz))


def delete_event(req: Request) -> Response:
    st = req.state
    data = body_of(req)
    acc = _account(st, data)
    ev = _call(st.delete_event, acc.provider, acc.email, str(data.get("event_id")),
               calendar_id=data.get("calendar_id") or None)
    return json_response(event_summary(ev, acc.tz))


def answer_event(req: Request) -> Response:
    """An attendee answers the organizer's event (`email` is the organizer, `attendee` who answers)."""
    st = req.state
    data = body_of(req)
    acc = _account(st, data)
    ev = _call(st.answer_event, acc.provider, acc.email, str(data.get("event_id")),
               attendee=str(data.get("attendee") or ""), response=str(data.get("response") or ""),
               calendar_id=data.get("calendar_id") or None)
    return json_response(event_summary(ev, acc.tz))


def upcoming(req: Request) -> Response:
    st = req.state
    acc = _account(st, {"provider": req.q("provider"), "email": req.q("email")})
    found = st.upcoming(acc.provider, acc.email, limit=int(req.q("limit") or 40))
    return json_response([{**event_summary(i.event, acc.tz), "id": i.id, "start": iso_local(i.start, acc.tz),
                           "end": iso_local(i.end, acc.tz)} for i in found])


def faults(req: Request) -> Response:
    st = req.state
    if req.method == "DELETE":
        st.faults.clear()
        return json_response({"ok": True})
    if req.method == "GET":
        return json_response(st.faults.list())
    data = body_of(req)
    unknown = set(data) - set(FAULT_FIELDS)
    if unknown:
        raise bad(f"unknown fault fields: {', '.join(sorted(unknown))}")
    fault = _call(st.inject_fault, **data)
    return json_response(fault.as_dict(), 201)


def request_log(req: Request) -> Response:
    st = req.state
    if req.method == "DELETE":
        with st.lock:
            st.requests.clear()
        return json_response({"ok": True})
    return json_response(st.request_log(req.q("listener")))


def outbox(req: Request) -> Response:
    st = req.state
    if req.method == "DELETE":
        with st.lock:
            st.outbox.clear()
        return json_response({"ok": True})
    return json_response(st.outbox_entries(req.q("provider")))


def deliveries(req: Request) -> Response:
    return json_response(req.state.delivery_log())


def channels(req: Request) -> Response:
    st = req.state
    with st.lock:
        return json_response({
            "google": [{"id": c.id, "resource_id": c.resource_id, "email": c.account[1], "calendar_id": c.calendar_id,
                        "address": c.address, "expiration_ms": c.expiration_ms, "messages": c.message_number}
                       for c in st.channels.values()],
            "microsoft": [{"id": s.id, "email": s.account[1], "resource": s.resource, "url": s.notification_url,
                           "change_types": list(s.change_types), "expiration": s.expiration}
                          for s in st.subscriptions.values()],
        })


def tokens(req: Request) -> Response:
    st = req.state
    acc = _account(st, body_of(req))
    if req.params["action"] == "expire":
        return json_response({"expired": st.expire_tokens(acc.provider, acc.email)})
    return json_response({"revoked": st.revoke_tokens(acc.provider, acc.email)})


def invalidate(req: Request) -> Response:
    data = body_of(req)
    provider, email = data.get("provider"), data.get("email")
    if provider is not None and provider not in PROVIDERS:
        raise bad("provider must be google or microsoft")
    return json_response({"calendars": req.state.invalidate_sync_tokens(provider, email)})


def redirect_uris(req: Request) -> Response:
    st = req.state
    data = body_of(req)
    uris = data.get("uris") or ([data["uri"]] if data.get("uri") else [])
    providers = [data["provider"]] if data.get("provider") else list(PROVIDERS)
    for provider in providers:
        for uri in uris:
            _call(st.add_redirect_uri, provider, str(uri), data.get("client_id"))
    if "allow_loopback" in data:
        st.settings.allow_loopback_redirects = bool(data["allow_loopback"])
    return json_response({"ok": True, "allow_loopback": st.settings.allow_loopback_redirects})


def clients(req: Request) -> Response:
    data = body_of(req)
    client = _call(req.state.add_client, data.get("provider"), str(data.get("client_id") or ""),
                   str(data.get("client_secret") or ""))
    if not client.client_id:
        raise bad("client_id is required")
    return json_response({"provider": client.provider, "client_id": client.client_id}, 201)


def settings(req: Request) -> Response:
    st = req.state
    data = body_of(req)
    for key, value in data.items():
        if key not in SETTINGS:
            raise bad(f"unknown setting {key}")
        current = getattr(st.settings, key)
        setattr(st.settings, key, type(current)(value))
    return json_response({k: getattr(st.settings, k) for k in SETTINGS})


# --- HTML --------------------------------------------------------------------------------------------------


def index(req: Request) -> Response:
    st = req.state
    with st.lock:
        rows = "".join(
            f"<tr><td>{esc(a.provider)}</td><td><a href='/_sandbox/account?"
            f"{esc(urlencode({'provider': a.provider, 'email': a.email}))}'>{esc(a.email)}</a></td>"
            f"<td>{esc(a.name)}</td><td>{esc(a.tz)}</td><td>{a.event_count()}</td></tr>"
            for a in st.accounts.values()
        )
        invites = "".join(
            f"<tr><td>{esc(o.provider)}</td><td>{esc(o.kind)}</td><td>{esc(o.organizer)}</td><td>{esc(o.attendee)}</td>"
            f"<td>{esc(o.subject)}</td><td>{esc(o.start)}</td><td>{esc(o.at)}</td></tr>"
            for o in reversed(st.outbox[-100:])
        ) or "<tr><td colspan=7 class=muted>No invitations sent yet.</td></tr>"
        urls = "".join(f"<li>{esc(k)}: <code>{esc(v)}</code></li>" for k, v in st.urls.items())
    body = (
        "<h1>Calendar sandbox</h1><p class=muted>Local stand-ins for Google Calendar and Microsoft Graph.</p>"
        f"<ul>{urls}</ul><h2>Accounts</h2><table><tr><th>Provider</th><th>Email</th><th>Name</th><th>Zone</th>"
        f"<th>Events</th></tr>{rows}</table>"
        "<h2>Invitation outbox</h2><table><tr><th>Provider</th><th>Kind</th><th>Organizer</th><th>Attendee</th>"
        f"<th>Subject</th><th>Start (UTC)</th><th>Sent</th></tr>{invites}</table>"
        "<form method=post action='/_sandbox/ui/reset'><p><button type=submit>Reset everything</button></p></form>"
    )
    return page("Calendar sandbox", body)


def account_page(req: Request) -> Response:
    st = req.state
    provider, email = req.q("provider") or "", req.q("email") or ""
    try:
        acc = st.account(provider, email)
    except NotFound:
        return page("Unknown account", "<h1>Unknown account</h1><p><a href='/_sandbox/'>Back</a></p>", status=404)
    found = st.upcoming(provider, email, limit=60)
    key = hidden_account(acc)
    rows = "".join(
        f"<tr><td>{esc(iso_local(i.start, acc.tz)[:16].replace('T', ' '))}</td>"
        f"<td>{esc(i.event.summary or '(No title)')}</td><td>{esc(i.event.calendar.name)}</td>"
        f"<td><form class=inline method=post action='/_sandbox/ui/events'>{key}"
        f"<input type=hidden name=event_id value='{esc(i.id)}'><input type=hidden name=action value=move>"
        f"<input type=datetime-local name=start required><button type=submit>Move</button></form>"
        f"<form class=inline method=post action='/_sandbox/ui/events'>{key}"
        f"<input type=hidden name=event_id value='{esc(i.id)}'><input type=hidden name=action value=delete>"
        f"<button type=submit>Delete</button></form>{answer_form(key, i)}</td></tr>"
        for i in found
    ) or "<tr><td colspan=4 class=muted>Nothing in the next two weeks.</td></tr>"
    cal_options = "".join(f"<option value='{esc(c.id)}'>{esc(c.name)}</option>"
                          for c in acc.calendars.values() if c.writable)
    body = (
        f"<p><a href='/_sandbox/'>← All accounts</a></p><h1>{esc(acc.name)} <small class=muted>"
        f"{esc(acc.email)} · {esc(acc.provider)} · {esc(acc.tz)}</small></h1>"
        f"<h2>Add an event</h2><form method=post action='/_sandbox/ui/events'>{key}"
        "<input type=hidden name=action value=add><input name=summary placeholder=Title>"
        "<input type=datetime-local name=start required><input type=datetime-local name=end>"
        f"<select name=calendar_id>{cal_options}</select><input name=attendees placeholder='a@x.test, b@y.test'>"
        "<button type=submit>Add</button></form>"
        f"<h2>Next two weeks ({esc(acc.tz)})</h2><table><tr><th>Start</th><th>Title</th><th>Calendar</th>"
        f"<th>Change</th></tr>{rows}</table>"
    )
    return page(f"{acc.email} – sandbox", body)


ANSWER_LABELS = (("accepted", "Accept"), ("tentative", "Tentative"), ("declined", "Decline"))


def answer_form(key: str, inst: Any) -> str:
    """"Answer as <attendee>": what the attendee's calendar app would send back to the organizer."""
    attendees = inst.event.attendees
    if not attendees:
        return ""
    people = "".join(f"<option value='{esc(a.email)}'>{esc(a.name or a.email)} ({esc(a.response)})</option>"
                     for a in attendees)
    answers = "".join(f"<button type=submit name=response value='{value}'>{label}</button>"
                      for value, label in ANSWER_LABELS)
    return (f"<form class=inline method=post action='/_sandbox/ui/events'>{key}"
            f"<input type=hidden name=event_id value='{esc(inst.id)}'><input type=hidden name=action value=answer>"
            f"<label>Answer as <select name=attendee>{people}</select></label>{answers}</form>")


def hidden_account(acc: Account) -> str:
    return (f"<input type=hidden name=provider value='{esc(acc.provider)}'>"
            f"<input type=hidden name=email value='{esc(acc.email)}'>")


def ui_events(req: Request) -> Response:
    st = req.state
    form = req.form()
    acc = _account(st, form)
    action = form.get("action")
    try:
        if action == "add":
            st.add_event(acc.provider, acc.email, summary=form.get("summary"), start=_time(form.get("start"), acc.tz),
                         end=_time(form.get("end"), acc.tz) if form.get("end") else None,
                         calendar_id=form.get("calendar_id") or None,
                         attendees=[a.strip() for a in (form.get("attendees") or "").split(",") if a.strip()])
        elif action == "move":
            st.move_event(acc.provider, acc.email, form.get("event_id", ""), start=_time(form.get("start"), acc.tz))
        elif action == "delete":
            st.delete_event(acc.provider, acc.email, form.get("event_id", ""))
        elif action == "answer":
            st.answer_event(acc.provider, acc.email, form.get("event_id", ""), attendee=form.get("attendee", ""),
                            response=form.get("response", ""))
        else:
            raise ValueError("unknown action")
    except (NotFound, ValueError) as exc:
        return page("Could not change the event", f"<h1>Could not change the event</h1><p>{esc(exc)}</p>"
                                                   "<p><a href='javascript:history.back()'>Back</a></p>", status=400)
    return redirect("/_sandbox/account?" + urlencode({"provider": acc.provider, "email": acc.email}), 303)


def ui_reset(req: Request) -> Response:
    req.state.reset()
    return redirect("/_sandbox/", 303)


def routes() -> Router:
    r = Router()
    p = "/_sandbox"
    r.add("GET", p + "/", index)
    r.add("GET", p, lambda req: redirect(p + "/"))
    r.add("GET", p + "/account", account_page)
    r.add("POST", p + "/ui/events", ui_events)
    r.add("POST", p + "/ui/reset", ui_reset)
    r.add("POST", p + "/reset", reset)
    r.add("GET", p + "/state", state_summary)
    r.add("GET", p + "/accounts", accounts)
    r.add("POST", p + "/accounts", create_account)
    r.add("GET", p + "/events", upcoming)
    r.add("POST", p + "/events", add_event)
    r.add("POST", p + "/events/move", move_event)
    r.add("POST", p + "/events/delete", delete_event)
    r.add("POST", p + "/events/answer", answer_event)
    for method in ("GET", "POST", "DELETE"):
        r.add(method, p + "/faults", faults)
    for method in ("GET", "DELETE"):
        r.add(method, p + "/requests", request_log)
        r.add(method, p + "/outbox", outbox)
    r.add("GET", p + "/deliveries", deliveries)
    r.add("GET", p + "/channels", channels)
    r.add("POST", p + r"/tokens/(?P<action>expire|revoke)", tokens)
    r.add("POST", p + "/sync-tokens/invalidate", invalidate)
    r.add("POST", p + "/redirect-uris", redirect_uris)
    r.add("POST", p + "/clients", clients)
    r.add("POST", p + "/settings", settings)
    return r

