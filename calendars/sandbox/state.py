"""The sandbox's whole world, in memory, behind one lock.

Both providers' HTTP handlers, the control API and in-process tests go through the methods here. Every
change to an event gets a new change number (`seq`); sync tokens and delta links are built on those numbers.
"""

from __future__ import annotations

import gc
import random
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from . import data
from .auth import AccessToken, AuthCode, Client, ConsentRequest, Grant, is_loopback_uri
from .faults import Fault, FaultTable
from .model import (
    ACCEPTED,
    CANCELLED,
    DAY,
    DECLINED,
    GOOGLE,
    MICROSOFT,
    NEEDS_ACTION,
    PROVIDERS,
    TENTATIVE_RESPONSE,
    Account,
    Attendee,
    Calendar,
    Event,
    date_epoch,
    iso_utc,
    parse_rfc3339,
)
from .push import Channel, PushDispatcher, Subscription
from .recurrence import validate as validate_recurrence
from .views import Instance, expand, find
from .web import Request, Response, redact_query

T = TypeVar("T")

# What an attendee can answer (Google's words; Graph's rendering maps them).
ANSWERS = (ACCEPTED, TENTATIVE_RESPONSE, DECLINED, NEEDS_ACTION)

DEFAULT_CLIENTS = (
    Client(GOOGLE, "sandbox-client.apps.googleusercontent.com", "sandbox-google-secret"),
    Client(MICROSOFT, "5a1db0c5-c11e-4a7e-8000-00000000c11e", "sandbox-microsoft-secret"),
)


@dataclass
class Settings:
    google_token_lifetime: int = 3599
    microsoft_token_lifetime: int = 3599
    code_lifetime: int = 600
    push_timeout: float = 5.0
    validation_timeout: float = 10.0
    allow_loopback_redirects: bool = True
    # Google may answer a conference createRequest with status "pending" and finish later: the insert answers
    # pending, then this many reads of the event still do (0: the first read finds it made; negative: never).
    google_conference_pending_reads: int = 0
    # Making the video meeting can fail, as each provider documents it, for the next this many requests for one:
    # Google ends the conference's createRequest in statusCode "failure" with no entry points (after the pending
    # reads above); Graph makes the event without the meeting (isOnlineMeeting false, onlineMeetingProvider
    # "unknown", onlineMeeting null), as it does for a mailbox that cannot make Teams meetings.
    google_conference_failures: int = 0
    microsoft_online_meeting_failures: int = 0


@dataclass
class OutboxEntry:
    provider: str
    organizer: str
    attendee: str
    kind: str  # invite, update, cancel
    event_id: str
    ical_uid: str
    subject: str | None
    start: str
    end: str
    sequence: int
    at: str = field(default_factory=lambda: iso_utc(int(time.time())))
    comment: str | None = None  # the organizer's message with a cancellation (Graph's cancel action)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class NotFound(LookupError):
    pass


def to_epoch(value: Any) -> tuple[int, bool]:
    """(epoch, all_day) from a datetime, date, epoch number or ISO/RFC 3339 string."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a time zone")
        return int(value.timestamp()), False
    if isinstance(value, date):
        return date_epoch(value), True
    if isinstance(value, int | float):
        return int(value), False
    if isinstance(value, str):
        if len(value) == 10:
            return date_epoch(date.fromisoformat(value)), True
        return parse_rfc3339(value), False
    raise ValueError(f"not a time: {value!r}")


class State:
    def __init__(self, *, seed: int = 0, clients: Iterable[Client] = DEFAULT_CLIENTS,
                 accounts: Iterable[data.AccountSpec] = data.DEFAULT_ACCOUNTS) -> None:
        self.lock = threading.RLock()
        self.seed = seed
        self.account_specs = tuple(accounts)
        self.faults = FaultTable()
        self.push = PushDispatcher(self)
        self.clients: dict[tuple[str, str], Client] = {}
        self.urls: dict[str, str] = {}  # listener name -> base URL, filled in by the server
        self._template_day = -1
        self._template_accounts: list[Account] = []
        for c in clients:
            self.add_client(c.provider, c.client_id, c.secret)
        self.reset()

    # --- lifecycle -------------------------------------------------------------------------------------

    def now(self) -> int:
        return int(time.time())

    def reset(self) -> None:
        """Back to the generated default data and settings; clears tokens, logs, faults, outbox, channels.

        Registered clients and redirect URIs are configuration, like an app registration, and stay.
        """
        with self.lock:
            self.settings = Settings()
            self.epoch = secrets.token_hex(4)  # tokens and cursors from before a reset become unknown
            self.seq = 1
            self.accounts: dict[tuple[str, str], Account] = {}
            with _no_gc():
                for template in self._templates():
                    acc = template.clone()
                    self.accounts[acc.key] = acc
            self.consents: dict[str, ConsentRequest] = {}
            self.codes: dict[str, AuthCode] = {}
            self.access_tokens: dict[str, AccessToken] = {}
            self.refresh_tokens: dict[str, Grant] = {}
            self.google_consented: set[tuple[str, str]] = set()  # (email, client_id) with a refresh token
            self.channels: dict[str, Channel] = {}
            self.subscriptions: dict[str, Subscription] = {}
            self.delta_states: OrderedDict[str, Any] = OrderedDict()
            self.delta_rounds: OrderedDict[str, Any] = OrderedDict()
            self.list_cache: OrderedDict[Any, Any] = OrderedDict()
            self.requests: deque[dict[str, Any]] = deque(maxlen=10000)
            self.deliveries: deque[dict[str, Any]] = deque(maxlen=2000)
            self.outbox: list[OutboxEntry] = []
            self.faults.clear()
            self.push.clear()

    def _templates(self) -> list[Account]:
        """The generated default accounts, kept pristine; regenerated when the day changes ("now" moves)."""
        day = self.now() // DAY
        if self._template_day != day:
            with _no_gc():
                templates = []
                for spec in self.account_specs:
                    acc = data.make_account(spec)
                    data.populate(acc, now=self.now(), seq=1, seed=self.seed)
                    templates.append(acc)
            self._template_accounts, self._template_day = templates, day
        return self._template_accounts

    def close(self) -> None:
        self.push.stop()

    # --- configuration ---------------------------------------------------------------------------------

    def add_client(self, provider: str, client_id: str, secret: str) -> Client:
        _check_provider(provider)
        with self.lock:
            client = self.clients.get((provider, client_id))
            if client is None:
                client = self.clients[(provider, client_id)] = Client(provider, client_id, secret)
            client.secret = secret
            return client

    def add_redirect_uri(self, provider: str, uri: str, client_id: str | None = None) -> None:
        _check_provider(provider)
        with self.lock:
            for client in self.clients.values():
                if client.provider == provider and client_id in (None, client.client_id):
                    client.redirect_uris.add(uri)

    def remember_consent(self, consent: ConsentRequest) -> None:
        # Consent pages that nobody answers must not pile up forever in a long-running sandbox.
        if len(self.consents) >= 1000:
            for key in list(self.consents)[:500]:
                del self.consents[key]
        self.consents[consent.id] = consent

    def remember_code(self, code: AuthCode) -> None:
        if len(self.codes) >= 5000:
            now = time.time()
            for key, old in list(self.codes.items()):
                if old.used or old.expires_at < now:
                    del self.codes[key]
        self.codes[code.code] = code

    def redirect_allowed(self, client: Client, uri: str) -> bool:
        return uri in client.redirect_uris or (self.settings.allow_loopback_redirects and is_loopback_uri(uri))

    def client(self, provider: str, client_id: str | None) -> Client | None:
        return self.clients.get((provider, client_id or ""))

    # --- accounts --------------------------------------------------------------------------------------

    def account(self, provider: str, email: str) -> Account:
        acc = self.accounts.get((provider, email.lower()))
        if acc is None:
            raise NotFound(f"no {provider} account {email}")
        return acc

    def provider_accounts(self, provider: str) -> list[Account]:
        return [a for a in self.accounts.values() if a.provider == provider]

    def create_account(
        self, provider: str, email: str, *, name: str | None = None, tz: str = "UTC", events: int | None = None,
        kind: str = "work",
    ) -> Account:
        """Create (or replace) an account; `events` generates about that many events (None: the default mix)."""
        _check_provider(provider)
        if events is not None and not 0 <= events <= 200_000:
            raise ValueError("events must be between 0 and 200000")
        spec = data.AccountSpec(provider, email.lower(), name or email.split("@")[0].title(), tz, kind)
        acc = data.make_account(spec)
        with self.lock:
            seq = self.next_seq()
        with _no_gc():
            data.populate(acc, now=self.now(), seq=seq, seed=self.seed, total=events)
        with self.lock:
            self.accounts[acc.key] = acc
        return acc

    def calendar(self, acc: Account, calendar_id: str | None) -> Calendar:
        if calendar_id in (None, "", "primary"):
            return acc.primary
        cal = acc.calendars.get(calendar_id)  # type: ignore[arg-type]
        if cal is None:
            raise NotFound(f"no calendar {calendar_id}")
        return cal

    def find_instance(self, acc: Account, event_id: str, calendar_id: str | None = None) -> Instance:
        cals = [self.calendar(acc, calendar_id)] if calendar_id else list(acc.calendars.values())
        for cal in cals:
            inst = find(cal, event_id, self.now())
            if inst is not None:
                return inst
        raise NotFound(f"no event {event_id}")

    # --- change tracking -------------------------------------------------------------------------------

    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def touch(self, ev: Event, change: str, *, notify: bool = True) -> None:
        """Record a change of `ev`: new change number and `updated` stamp, then push notifications."""
        seq = self.next_seq()
        ev.seq = seq
        ev.updated = max(int(time.time() * 1000), ev.updated + 1)
        ev.calendar.seq = seq
        ev.calendar.changes.append((seq, ev.id))
        if notify:
            self.push.calendar_changed(ev.calendar, ev, change)

    def insert(self, cal: Calendar, ev: Event) -> Event:
        with self.lock:
            ev.created = ev.updated = int(time.time() * 1000)
            cal.add(ev)
            self.touch(ev, "created")
            return ev

    def _exception_for(self, inst: Instance) -> Event:
        master = inst.event
        return Event(
            inst.id, master.calendar, master.summary, inst.start, inst.end, master.tz, all_day=master.all_day,
            location=master.location, status=master.status, show_as=master.show_as, attendees=master.attendees,
            organizer=master.organizer, created=master.created, updated=master.updated, sequence=master.sequence,
            recurring_id=master.id, original_start=inst.start, seq=master.seq, uid=master.uid,
            extra=dict(master.extra) if master.extra else None,
        )

    def materialize(self, inst: Instance) -> Event:
        """Turn a virtual occurrence into a stored exception (needed before changing one occurrence)."""
        if not inst.is_occurrence:
            return inst.event
        ex = self._exception_for(inst)
        ex.calendar.add(ex)
        return ex

    def edit(self, inst: Instance, change: Callable[[Event], T]) -> tuple[Event, T]:
        """Run `change` on a working copy and store the result only if it succeeds, so a request rejected
        half-way (400) leaves the event untouched. Occurrences become exceptions."""
        with self.lock:
            if inst.is_occurrence:
                work = self._exception_for(inst)
                result = change(work)
                work.calendar.add(work)
                return work, result
            target = inst.event
            work = target.clone(target.calendar)
            result = change(work)
            target.assign(work)
            return target, result

    def cancel(self, inst: Instance, *, hard: bool = False) -> Event:
        """Delete an event, occurrence or series. Deleted events stay as cancelled tombstones (Google's way);
        `hard` marks them deleted for Graph, which then reports them as removed."""
        with self.lock:
            ev = self.materialize(inst)
            ev.status = CANCELLED
            ev.sequence += 1
            if hard:
                ev.set_extra("deleted", True)
            if ev.recurrence:
                for ex in ev.calendar.exceptions.get(ev.id, {}).values():
                    if ex.status != CANCELLED:
                        ex.status = CANCELLED
                        if hard:
                            ex.set_extra("deleted", True)
                        self.touch(ex, "deleted", notify=False)
            self.touch(ev, "deleted")
            return ev

    # --- control operations (also used by the HTML pages) ----------------------------------------------

    def add_event(
        self, provider: str, email: str, *, summary: str | None, start: Any, end: Any = None,
        calendar_id: str | None = None, tz: str | None = None, attendees: Iterable[str] = (),
        location: str | None = None, show_as: str = "busy", recurrence: Iterable[str] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Event:
        """Add an event as if the person had created it in their calendar app.

        `raw` (test control) holds fields of the provider's JSON resource that are served exactly as given, over
        what the sandbox renders: a real calendar can hold what the sandbox's model cannot express, and Google
        and Graph pass it on (a 5,000-character title, control characters, an odd status, an impossible date).
        """
        if raw is not None and not isinstance(raw, dict):
            raise ValueError("raw must be a JSON object of resource fields")
        with self.lock:
            acc = self.account(provider, email)
            cal = self.calendar(acc, calendar_id)
            s, all_day = to_epoch(start)
            e = to_epoch(end)[0] if end is not None else s + (DAY if all_day else 3600)
            if e < s:
                raise ValueError("end before start")
            rec = tuple(recurrence) if recurrence else None
            if rec:
                validate_recurrence(rec, s, all_day, tz or cal.tz)
            ev = Event(
                new_event_id(provider), cal, summary or None, s, e, tz or cal.tz, all_day=all_day, location=location,
                show_as=show_as, organizer=cal.owner, recurrence=rec,
                attendees=tuple(Attendee(a, a.split("@")[0]) for a in attendees),
                uid=None if provider == GOOGLE else data.graph_ical_uid(_rng),
                extra={"raw": dict(raw)} if raw else None,
            )
            return self.insert(cal, ev)

    def move_event(
        self, provider: str, email: str, event_id: str, *, start: Any, end: Any = None,
        calendar_id: str | None = None,
    ) -> Event:
        """Move an event or one occurrence (which becomes an exception); keeps the duration without `end`."""
        with self.lock:
            acc = self.account(provider, email)
            inst = self.find_instance(acc, event_id, calendar_id)
            if inst.cancelled:
                raise NotFound(f"event {event_id} is deleted")
            s, _ = to_epoch(start)
            e = to_epoch(end)[0] if end is not None else s + (inst.end - inst.start)
            if e < s:
                raise ValueError("end before start")
            ev = self.materialize(inst)
            ev.start, ev.end = s, e
            ev.sequence += 1
            self.touch(ev, "updated")
            return ev

    def answer_event(self, provider: str, email: str, event_id: str, *, attendee: str, response: str,
                     calendar_id: str | None = None) -> Event:
        """`attendee` answers the invitation to the event in `email`'s (the organizer's) calendar, as their calendar
        app would: the organizer's copy records it, gets a new `updated`/etag, shows up in the organizer's
        incremental sync and push notifications; the SEQUENCE stays (an answer is no change of the meeting)."""
        if response not in ANSWERS:
            raise ValueError(f"response must be one of {', '.join(ANSWERS)}")
        with self.lock:
            acc = self.account(provider, email)
            inst = self.find_instance(acc, event_id, calendar_id)
            if inst.cancelled:
                raise NotFound(f"event {event_id} is deleted")
            wanted = attendee.strip().casefold()
            if not any(a.email.casefold() == wanted for a in inst.event.attendees):
                raise NotFound(f"{attendee} is not invited to event {event_id}")
            ev = self.materialize(inst)
            ev.attendees = tuple(a._replace(response=response) if a.email.casefold() == wanted else a
                                 for a in ev.attendees)
            self.touch(ev, "updated")
            return ev

    def delete_event(self, provider: str, email: str, event_id: str, *, calendar_id: str | None = None) -> Event:
        with self.lock:
            acc = self.account(provider, email)
            inst = self.find_instance(acc, event_id, calendar_id)
            return self.cancel(inst, hard=True)

    def upcoming(self, provider: str, email: str, *, limit: int = 40) -> list[Instance]:
        """The next instances across the account's calendars (for the HTML page)."""
        with self.lock:
            acc = self.account(provider, email)
            now = self.now()
            found = [
                inst for cal in acc.calendars.values() for inst in expand(cal, now)
                if inst.end > now and not inst.cancelled and inst.start < now + 14 * DAY
            ]
        found.sort(key=lambda i: (i.start, i.id))
        return found[:limit]

    def expire_tokens(self, provider: str, email: str) -> int:
        """Make every access token of the account expired (the next API call answers 401)."""
        with self.lock:
            key = self.account(provider, email).key
            n = 0
            for tok in self.access_tokens.values():
                if tok.account == key and tok.expires_at > 0:
                    tok.expires_at = 0
                    n += 1
            return n

    def revoke_tokens(self, provider: str, email: str) -> int:
        """The person revoked the app's access: refresh and access tokens stop working."""
        with self.lock:
            key = self.account(provider, email).key
            n = 0
            for grant in list(self.refresh_tokens.values()):
                if grant.account == key and not grant.revoked:
                    grant.revoked = True
                    n += 1
                    self.google_consented.discard((key[1], grant.client_id))
            for tok in self.access_tokens.values():
                if tok.account == key:
                    tok.revoked = True
            return n

    def invalidate_sync_tokens(self, provider: str | None = None, email: str | None = None) -> int:
        """Make stored sync tokens / delta links stale: the next incremental sync answers 410."""
        with self.lock:
            n = 0
            for acc in self.accounts.values():
                if provider not in (None, acc.provider) or email not in (None, acc.email):
                    continue
                for cal in acc.calendars.values():
                    cal.sync_generation += 1
                    n += 1
            for key, st in list(self.delta_states.items()):
                if provider in (None, MICROSOFT) and email in (None, st.account[1]):
                    del self.delta_states[key]
            for key, rnd in list(self.delta_rounds.items()):
                if provider in (None, MICROSOFT) and email in (None, rnd.account[1]):
                    del self.delta_rounds[key]
            return n

    def inject_fault(self, **spec: Any) -> Fault:
        """See faults.Fault: path (regex), method, listener, status, delay, retry_after, body, reason, count, nth."""
        return self.faults.add(**spec)

    def clear_faults(self) -> None:
        self.faults.clear()

    # --- logs ------------------------------------------------------------------------------------------

    def log_request(self, listener: str, req: Request, resp: Response, seconds: float) -> None:
        # Never the Authorization header, bodies or token values: only method, path, redacted query, status.
        entry = {
            "time": iso_utc(int(time.time())), "listener": listener, "method": req.method, "path": req.path,
            "query": redact_query(req.query), "status": resp.status, "ms": round(seconds * 1000, 1),
        }
        if resp.note:
            entry["note"] = resp.note
        with self.lock:
            self.requests.append(entry)

    def request_log(self, listener: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.requests if listener in (None, r["listener"])]

    def outbox_entries(self, provider: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [o.as_dict() for o in self.outbox if provider in (None, o.provider)]

    def record_invites(self, provider: str, ev: Event, kind: str, attendees: Iterable[Attendee],
                       comment: str | None = None) -> None:
        with self.lock:
            organizer = ev.organizer.email if ev.organizer else ev.calendar.account.email
            for att in attendees:
                if att.email.lower() == organizer.lower():
                    continue
                self.outbox.append(OutboxEntry(
                    provider, organizer, att.email, kind, ev.id, ev.ical_uid, ev.summary,
                    iso_utc(ev.start), iso_utc(ev.end), ev.sequence, comment=comment,
                ))

    def delivery_log(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(d) for d in self.deliveries]


_rng = random.SystemRandom()  # ids of created events must not repeat across resets


def new_event_id(provider: str) -> str:
    return data.google_event_id(_rng) if provider == GOOGLE else data.graph_id(_rng)


@contextmanager
def _no_gc() -> Iterator[None]:
    """Bulk generation allocates only acyclic objects; cyclic GC passes over them just cost time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")
