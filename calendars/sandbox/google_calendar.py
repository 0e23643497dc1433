"""Google Calendar API v3 under /calendar/v3/: calendarList, events.list (full and incremental sync),
events.get, events.instances, and the routes of the whole API (writes live in google_writes).

Sync tokens and page tokens are opaque base64 JSON carrying the change number they stand for; a reset of the
sandbox or `invalidate_sync_tokens` makes them stale (410 fullSyncRequired).
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
from bisect import bisect_right
from dataclasses import astuple, dataclass, field
from typing import Any
from urllib.parse import unquote

from .google_api import (
    LIST_CALENDARS,
    READ,
    api_auth,
    bool_param,
    decode_offset,
    get_calendar,
    int_param,
    lookup_event,
    out_tz,
)
from .google_render import error, ical_uid, render_calendar_entry, render_event
from .google_writes import conference_progress, delete_event, insert_event, modify_event, stop_channel, watch
from .model import CANCELLED, GOOGLE, Calendar, Event, iso_ms, parse_rfc3339
from .pages import esc, page
from .recurrence import series_span
from .views import Instance, expand, find, overlaps, series_instances, span
from .web import Request, Response, Router, compact_json, json_bytes_response, json_response

SYNC_CONFLICTS = ("iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin",
                  "timeMax", "updatedMin")
CACHE_SIZE = 16
CACHE_ITEMS = 400_000  # instances kept in all cached listings together


# --- calendarList ------------------------------------------------------------------------------------------


def calendar_list(req: Request) -> Response:
    st = req.state
    with st.lock:
        acc, _ = api_auth(req, LIST_CALENDARS)
        cals = list(acc.calendars.values())
        roles = ["freeBusyReader", "reader", "writer", "owner"]
        min_role = req.q("minAccessRole")
        if min_role in roles:
            cals = [c for c in cals if roles.index(c.access) >= roles.index(min_role)]
        size = int_param(req, "maxResults", 100, 250)
        offset = decode_offset(req.q("pageToken"))
        chunk = cals[offset:offset + size]
        body: dict[str, Any] = {"kind": "calendar#calendarList", "etag": f'"{st.epoch}"',
                                "items": [render_calendar_entry(c) for c in chunk]}
        if offset + size < len(cals):
            body["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
    return json_response(body)


def calendar_list_get(req: Request) -> Response:
    with req.state.lock:
        acc, _ = api_auth(req, LIST_CALENDARS)
        return json_response(render_calendar_entry(get_calendar(acc, req.params["cal"])))


def calendars_get(req: Request) -> Response:
    with req.state.lock:
        acc, _ = api_auth(req, READ | LIST_CALENDARS)
        cal = get_calendar(acc, req.params["cal"])
        return json_response({"kind": "calendar#calendar", "etag": f'"{cal.seq}"', "id": cal.id,
                              "summary": cal.name, "timeZone": cal.tz})


# --- events.list -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListQuery:
    single: bool = False
    show_deleted: bool = False
    time_min: int | None = None
    time_max: int | None = None
    q: str | None = None
    ical_uid: str | None = None
    updated_min: int | None = None  # ms
    order_by: str | None = None
    private: tuple[str, ...] = ()
    shared: tuple[str, ...] = ()


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(token: str) -> dict[str, Any] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (ValueError, binascii.Error):
        return None
    return value if isinstance(value, dict) else None




def _time_param(req: Request, name: str) -> int | None:
    raw = req.q(name)
    if raw is None:
        return None
    try:
        return parse_rfc3339(raw)
    except ValueError:
        raise error(400, "badRequest") from None


def _query_from_request(req: Request) -> ListQuery:
    updated_min = _time_param(req, "updatedMin")
    query = ListQuery(
        single=bool_param(req, "singleEvents"), show_deleted=bool_param(req, "showDeleted"),
        time_min=_time_param(req, "timeMin"), time_max=_time_param(req, "timeMax"), q=req.q("q"),
        ical_uid=req.q("iCalUID"), updated_min=updated_min * 1000 if updated_min is not None else None,
        order_by=req.q("orderBy"), private=tuple(req.query.get("privateExtendedProperty", [])),
        shared=tuple(req.query.get("sharedExtendedProperty", [])),
    )
    if query.order_by not in (None, "startTime", "updated"):
        raise error(400, "invalid", f"Invalid value for: {query.order_by} is not a valid value")
    if query.order_by == "startTime" and not query.single:
        raise error(400, "badRequest", "The requested ordering is not available for the particular query.")
    if query.time_min is not None and query.time_max is not None and query.time_max <= query.time_min:
        raise error(400, "timeRangeEmpty")
    return query


def _matches(ev: Event, query: ListQuery) -> bool:
    if query.ical_uid and ical_uid(ev) != query.ical_uid:
        return False
    if query.updated_min is not None and ev.updated < query.updated_min:
        return False
    if query.q:
        text = " ".join(filter(None, (ev.summary, ev.location, ev.get_extra("description"),
                                      *(a.email + " " + a.name for a in ev.attendees)))).lower()
        if not all(word in text for word in query.q.lower().split()):
            return False
    for kind, wanted in (("private", query.private), ("shared", query.shared)):
        if wanted:
            props = (ev.get_extra("extendedProperties") or {}).get(kind) or {}
            for item in wanted:
                key, _, value = item.partition("=")
                if props.get(key) != value:
                    return False
    return True


def _full_items(cal: Calendar, query: ListQuery, now: int) -> list[Instance]:
    out: list[Instance] = []
    lo, hi = query.time_min, query.time_max
    if query.single:
        for inst in expand(cal, now):
            if inst.cancelled and not query.show_deleted:
                continue
            if (lo is not None or hi is not None) and not overlaps(inst, cal, lo, hi):
                continue
            if _matches(inst.event, query):
                out.append(inst)
        return out
    for ev in cal.events.values():
        master = cal.events.get(ev.recurring_id) if ev.recurring_id else None
        # Cancelled occurrences are listed without showDeleted when series are not expanded (Google does so).
        if ev.status == CANCELLED and not query.show_deleted and not (master and master.status != CANCELLED):
            continue
        inst = Instance(ev.id, ev, ev.start, ev.end, master)
        if lo is not None or hi is not None:
            start, end = series_span(ev, now) if ev.recurrence else span(inst, cal)
            if not (lo is None or end > lo) or not (hi is None or start < hi):
                continue
        if _matches(ev, query):
            out.append(inst)
    return out


def _changed_items(cal: Calendar, since: int, query: ListQuery, now: int) -> list[Instance]:
    """Everything changed after `since`; cancelled entries always, others only inside the original window."""
    out: list[Instance] = []
    lo, hi = query.time_min, query.time_max

    def keep(inst: Instance) -> bool:
        return inst.cancelled or ((lo is None and hi is None) or overlaps(inst, cal, lo, hi))

    first = bisect_right(cal.changes, since, key=lambda change: change[0])
    changed_ids = dict.fromkeys(event_id for _, event_id in cal.changes[first:])
    for ev in (cal.events[i] for i in changed_ids if i in cal.events):
        if ev.seq <= since:
            continue
        if query.single and ev.recurrence:
            out.extend(i for i in series_instances(cal, ev, now) if i.event is ev and keep(i))
            continue
        master = cal.events.get(ev.recurring_id) if ev.recurring_id else None
        inst = Instance(ev.id, ev, ev.start, ev.end, master)
        if ev.recurrence or keep(inst):
            out.append(inst)
    return out


def _sort_key(inst: Instance, order_by: str | None) -> Any:
    if order_by == "startTime":
        return (inst.start, inst.id)
    if order_by == "updated":
        return (inst.event.updated, inst.id)
    return inst.id


@dataclass
class Listing:
    """One events.list result, sorted, for one state of the calendar (`seq`): every page of a sync is a slice of
    it. Each item's JSON is made once, when a page first needs it, so serving a page costs only joining bytes."""

    seq: int
    keys: list[Any]
    items: list[Instance]
    rendered: dict[tuple[str, str | None], list[bytes | None]] = field(default_factory=dict)

    def page(self, start: int, end: int, cal: Calendar, base: str, out_tz: str | None) -> list[bytes]:
        rendered = self.rendered.get((base, out_tz))
        if rendered is None:
            rendered = self.rendered[(base, out_tz)] = [None] * len(self.items)
        for index in range(start, min(end, len(self.items))):
            if rendered[index] is None:
                rendered[index] = compact_json(render_event(self.items[index], cal, base, out_tz=out_tz))
        return rendered[start:end]  # type: ignore[return-value]


def _listing_key(st: Any, cal: Calendar, mode: str, since: int, query: ListQuery) -> tuple:
    return (st.epoch, cal.account.email, cal.id, mode, since, astuple(query))


def _listing(st: Any, cal: Calendar, mode: str, since: int, query: ListQuery) -> Listing:
    key = _listing_key(st, cal, mode, since, query)
    hit = st.list_cache.get(key)
    if hit is not None and hit.seq == cal.seq:
        st.list_cache.move_to_end(key)
        return hit
    now = st.now()
    found = _full_items(cal, query, now) if mode == "full" else _changed_items(cal, since, query, now)
    found.sort(key=lambda i: _sort_key(i, query.order_by))
    listing = st.list_cache[key] = Listing(cal.seq, [_sort_key(i, query.order_by) for i in found], found)
    # Bounded by entries and by items, so a sandbox serving several big calendars keeps its memory in check.
    while len(st.list_cache) > 1 and (len(st.list_cache) > CACHE_SIZE or
                                      sum(len(cached.items) for cached in st.list_cache.values()) > CACHE_ITEMS):
        st.list_cache.popitem(last=False)
    return listing


SYNC_QUERY = ListQuery(single=True)


def warm(st: Any, cal: Calendar, base: str, *, chunk: int = 500) -> None:
    """Make the JSON of a full sync's listing (singleEvents, the way apps sync) before anyone asks, a chunk at a
    time so requests in between are not held up: a calendar created with many events is then served at the speed
    of a thin server from its first page. Stops when the calendar changes (its listing is then made anew)."""
    with st.lock:
        listing = _listing(st, cal, "full", 0, SYNC_QUERY)
        key = _listing_key(st, cal, "full", 0, SYNC_QUERY)
    for start in range(0, len(listing.items), chunk):
        with st.lock:
            if st.list_cache.get(key) is not listing or listing.seq != cal.seq:
                return
            listing.page(start, start + chunk, cal, base, None)


def warm_in_background(st: Any, calendars: list[Calendar], base: str) -> threading.Thread:
    def work() -> None:
        for cal in calendars:
            warm(st, cal, base)

    thread = threading.Thread(target=work, name="sandbox-google-warm", daemon=True)
    thread.start()
    return thread


def _stale() -> Exception:
    return error(410, "fullSyncRequired")


def list_events(req: Request) -> Response:
    st = req.state
    with st.lock:
        acc, _ = api_auth(req, READ)
        cal = get_calendar(acc, req.params["cal"])
        size = int_param(req, "maxResults", 250, 2500)
        response_tz = out_tz(req)
        sync_token, page_token = req.q("syncToken"), req.q("pageToken")
        last_key: Any = None
        if page_token:
            data = _decode(page_token)
            if data is None or data.get("t") != "p":
                raise error(400, "invalid", "Invalid page token value.")
            if data.get("e") != st.epoch or data.get("c") != cal.id:
                raise _stale()
            mode, since, snap = data["m"], data["since"], data["snap"]
            query = ListQuery(*(tuple(v) if isinstance(v, list) else v for v in data["f"]))
            last_key = tuple(data["k"]) if isinstance(data["k"], list) else data["k"]
        elif sync_token:
            conflicts = [p for p in SYNC_CONFLICTS if p in req.query]
            if conflicts:
                raise error(400, "invalid", f"Sync token cannot be used with other parameters: {conflicts[0]}.")
            data = _decode(sync_token)
            if data is None or data.get("t") != "s":
                raise error(400, "invalid", "Invalid sync token value.")
            if data.get("e") != st.epoch or data.get("c") != cal.id or data.get("g") != cal.sync_generation:
                raise _stale()
            single, show_deleted, tmin, tmax = data["f"]
            query = ListQuery(single=single, show_deleted=show_deleted, time_min=tmin, time_max=tmax)
            mode, since, snap = "inc", data["s"], st.seq
        else:
            query = _query_from_request(req)
            mode, since, snap = "full", 0, st.seq
        listing = _listing(st, cal, mode, since, query)
        start = bisect_right(listing.keys, last_key) if last_key is not None else 0
        end = start + size
        chunk = listing.items[start:end]
        body: dict[str, Any] = {
            "kind": "calendar#events", "etag": f'"{snap}"', "summary": cal.name, "description": "",
            "updated": iso_ms(max((i.event.updated for i in chunk), default=int(time.time() * 1000))),
            "timeZone": cal.tz, "accessRole": cal.access,
            "defaultReminders": [{"method": "popup", "minutes": 10}] if cal.writable else [],
        }
        if end < len(listing.items):
            body["nextPageToken"] = _encode({"t": "p", "e": st.epoch, "c": cal.id, "m": mode, "since": since,
                                             "snap": snap, "f": list(astuple(query)), "k": listing.keys[end - 1]})
        else:
            body["nextSyncToken"] = _encode({
                "t": "s", "e": st.epoch, "c": cal.id, "g": cal.sync_generation, "s": snap,
                "f": [query.single, query.show_deleted, query.time_min, query.time_max],
            })
        items = listing.page(start, end, cal, req.base_url, response_tz)
    # The items' JSON is ready-made: splice it into the envelope (items last, as before) instead of encoding again.
    return json_bytes_response(compact_json(body)[:-1] + b',"items":[' + b",".join(items) + b"]}")


# --- single events and links --------------------------------------------------------------------------------


def get_event(req: Request) -> Response:
    with req.state.lock:
        cal, inst = lookup_event(req, READ)
        conference_progress(inst.event)
        return json_response(render_event(inst, cal, req.base_url, out_tz=out_tz(req)))


def instances(req: Request) -> Response:
    st = req.state
    with st.lock:
        cal, inst = lookup_event(req, READ)
        master = inst.event
        if not master.recurrence:
            raise error(404, "notFound")
        show_deleted = bool_param(req, "showDeleted")
        found = sorted((i for i in series_instances(cal, master, st.now()) if show_deleted or not i.cancelled),
                       key=lambda i: (i.start, i.id))
        size = int_param(req, "maxResults", 250, 2500)
        offset = decode_offset(req.q("pageToken"))
        body: dict[str, Any] = {"kind": "calendar#events", "summary": cal.name, "timeZone": cal.tz,
                                "accessRole": cal.access,
                                "items": [render_event(i, cal, req.base_url) for i in found[offset:offset + size]]}
        if offset + size < len(found):
            body["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
    return json_response(body)


def html_link_page(req: Request) -> Response:
    """Where an event's htmlLink leads: a read-only view of the event."""
    raw = req.q("eid") or ""
    try:
        event_id, _, cal_id = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().partition(" ")
    except (ValueError, binascii.Error):
        return page("Not found", "<h1>Event not found</h1>", status=404)
    st = req.state
    with st.lock:
        for acc in st.provider_accounts(GOOGLE):
            cal = acc.calendars.get(unquote(cal_id))
            inst = find(cal, event_id, st.now()) if cal else None
            if cal and inst:
                d = render_event(inst, cal, req.base_url)
                rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(json.dumps(v, ensure_ascii=False))}</td></tr>"
                               for k, v in d.items())
                return page(d.get("summary") or "(No title)",
                            f"<h1>{esc(d.get('summary') or '(No title)')}</h1><table>{rows}</table>")
    return page("Not found", "<h1>Event not found</h1>", status=404)


def routes() -> Router:
    r = Router()
    base = "/calendar/v3"
    cal = base + r"/calendars/(?P<cal>[^/]+)"
    r.add("GET", base + "/users/me/calendarList", calendar_list)
    r.add("GET", base + r"/users/me/calendarList/(?P<cal>[^/]+)", calendar_list_get)
    r.add("POST", cal + "/events/watch", watch)
    r.add("GET", cal + "/events", list_events)
    r.add("POST", cal + "/events", insert_event)
    r.add("GET", cal + r"/events/(?P<event>[^/]+)/instances", instances)
    r.add("GET", cal + r"/events/(?P<event>[^/]+)", get_event)
    r.add("PATCH", cal + r"/events/(?P<event>[^/]+)", modify_event)
    r.add("PUT", cal + r"/events/(?P<event>[^/]+)", modify_event)
    r.add("DELETE", cal + r"/events/(?P<event>[^/]+)", delete_event)
    r.add("GET", cal, calendars_get)
    r.add("POST", base + "/channels/stop", stop_channel)
    r.add("GET", "/calendar/event", html_link_page)
    return r

