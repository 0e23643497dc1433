"""Graph `calendarView/delta`: full rounds, @odata.nextLink pages and @odata.deltaLink increments.

Like Graph, the sandbox keeps the sync state on the server: a delta link names a snapshot of the instance
versions the client has been sent. Following it diffs the current view against that snapshot, so events that
changed come back whole, and deleted ones or ones that left the window come back as
`{"id": …, "@removed": {"reason": "deleted"}}`. Only the most recent snapshots are kept; an evicted or
invalidated one answers 410 `syncStateNotFound`, as Graph does for an expired delta token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .microsoft_render import graph_error, graph_visible, render_event, resolve_zone
from .model import Account, Calendar, zone
from .views import Instance, expand, overlaps
from .web import Request, Response, json_response

DEFAULT_PAGE = 10  # assumption: what Graph uses without `Prefer: odata.maxpagesize`; clients should set it
MAX_PAGE = 1000
KEEP = 64  # delta snapshots and rounds kept, each (least recently used ones are dropped)
UNSUPPORTED = ("$select", "$filter", "$orderby", "$expand", "$search", "$top")


@dataclass
class DeltaState:
    id: str
    account: tuple[str, str]
    calendar_id: str
    path: str
    window: tuple[int, int]
    generation: int
    versions: dict[str, int]


@dataclass
class DeltaRound:
    id: str
    account: tuple[str, str]
    calendar_id: str
    path: str
    generation: int
    items: list[Instance | str]  # an instance to send, or the id of a removed one
    next_state: DeltaState


@dataclass
class Preferences:
    page_size: int | None = None
    tz: str = "UTC"
    tz_label: str = "UTC"
    applied: tuple[str, ...] = ()

    def headers(self) -> list[tuple[str, str]]:
        return [("Preference-Applied", ", ".join(self.applied))] if self.applied else []


def preferences(req: Request) -> Preferences:
    prefs = Preferences()
    applied: list[str] = []
    for header in req.headers.get_all("Prefer") or []:
        for item in header.split(","):
            name, _, value = item.strip().partition("=")
            name = name.strip().lower()
            if name == "odata.maxpagesize":
                try:
                    prefs.page_size = max(1, min(int(value), MAX_PAGE))
                    applied.append(f"odata.maxpagesize={prefs.page_size}")
                except ValueError:
                    continue
            elif name == "outlook.timezone":
                label = value.strip().strip('"')
                iana = resolve_zone(label)
                if iana:
                    prefs.tz, prefs.tz_label = iana, label
                    applied.append(f'outlook.timezone="{label}"')
    prefs.applied = tuple(applied)
    return prefs


def parse_graph_time(value: str, tz: str = "UTC") -> int:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text, tz = text[:-1], "UTC"
    head, dot, frac = text.partition(".")
    if dot:
        digits = "".join(c for c in frac if c.isdigit())
        rest = frac[len(digits):]
        text = f"{head}.{digits[:6]}{rest}"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC if tz == "UTC" else zone(tz))
    return int(dt.timestamp())


def _visible(cal: Calendar, window: tuple[int, int], now: int) -> dict[str, Instance]:
    lo, hi = window
    return {inst.id: inst for inst in expand(cal, now) if graph_visible(inst) and overlaps(inst, cal, lo, hi)}


def _remember(store: Any, key: str, value: Any) -> None:
    store[key] = value
    store.move_to_end(key)
    while len(store) > KEEP:
        store.popitem(last=False)


def _gone() -> Exception:
    return graph_error(410, "syncStateNotFound", "The sync state generation is not found.")


def delta(req: Request, acc: Account, cal: Calendar) -> Response:
    st = req.state
    for name in UNSUPPORTED:
        if req.q_ci(name) is not None:
            raise graph_error(400, "ErrorInvalidUrlQuery",
                              f"The following parameters are not supported with change tracking over the "
                              f"'calendarView' resource: '{name}'.")
    prefs = preferences(req)
    size = prefs.page_size or DEFAULT_PAGE
    skip, token = req.q_ci("$skiptoken"), req.q_ci("$deltatoken")
    now = st.now()
    with st.lock:
        if skip:
            round_id, _, offset_text = skip.partition(".")
            rnd = st.delta_rounds.get(round_id)
            if rnd is None or rnd.account != acc.key or rnd.calendar_id != cal.id \
                    or rnd.generation != cal.sync_generation or not offset_text.isdigit():
                raise _gone()
            offset = int(offset_text)
        elif token:
            previous = st.delta_states.get(token)
            if previous is None or previous.account != acc.key or previous.calendar_id != cal.id \
                    or previous.generation != cal.sync_generation:
                raise _gone()
            current = _visible(cal, previous.window, now)
            items: list[Instance | str] = [
                inst for iid, inst in current.items() if previous.versions.get(iid) != inst.event.seq
            ]
            items.extend(iid for iid in previous.versions if iid not in current)
            rnd = _new_round(acc, cal, previous.path, previous.window, current, items)
            _remember(st.delta_rounds, rnd.id, rnd)
            offset = 0
        else:
            start, end = req.q_ci("startDateTime"), req.q_ci("endDateTime")
            if not start or not end:
                raise graph_error(400, "ErrorInvalidParameter",
                                  "This request requires a time window specified by the query string parameters "
                                  "StartDateTime and EndDateTime.")
            try:
                window = (parse_graph_time(start), parse_graph_time(end))
            except ValueError:
                raise graph_error(400, "ErrorInvalidParameter", "The value of StartDateTime or EndDateTime is not "
                                                                "a valid date and time.") from None
            if window[1] <= window[0]:
                raise graph_error(400, "ErrorInvalidParameter", "EndDateTime must be after StartDateTime.")
            current = _visible(cal, window, now)
            ordered = sorted(current.values(), key=lambda i: (i.start, i.id))
            rnd = _new_round(acc, cal, req.path, window, current, list(ordered))
            _remember(st.delta_rounds, rnd.id, rnd)
            offset = 0
        chunk = rnd.items[offset:offset + size]
        body: dict[str, Any] = {"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)"}
        body["value"] = [
            {"@odata.type": "#microsoft.graph.event", "id": item, "@removed": {"reason": "deleted"}}
            if isinstance(item, str) else render_event(item, cal, req.base_url, prefs.tz, prefs.tz_label)
            for item in chunk
        ]
        link = req.base_url + rnd.path  # the request path, still percent-encoded
        if offset + size < len(rnd.items):
            body["@odata.nextLink"] = f"{link}?$skiptoken={rnd.id}.{offset + size}"
        else:
            _remember(st.delta_states, rnd.next_state.id, rnd.next_state)
            body["@odata.deltaLink"] = f"{link}?$deltatoken={rnd.next_state.id}"
    return json_response(body, headers=prefs.headers())


def _new_round(acc: Account, cal: Calendar, path: str, window: tuple[int, int], current: dict[str, Instance],
               items: list[Instance | str]) -> DeltaRound:
    state = DeltaState(secrets.token_urlsafe(24), acc.key, cal.id, path, window, cal.sync_generation,
                       {iid: inst.event.seq for iid, inst in current.items()})
    return DeltaRound(secrets.token_urlsafe(12), acc.key, cal.id, path, cal.sync_generation, items, state)
