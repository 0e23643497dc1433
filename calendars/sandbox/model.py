"""In-memory calendar objects shared by both sandbox providers.

Events are slot objects holding plain ints and shared strings/tuples, so a 100,000-event account stays small.
Times are UTC epoch seconds; an all-day event stores the UTC midnight of its dates (end exclusive).
"""

from __future__ import annotations

import calendar as _calendar
import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

GOOGLE = "google"
MICROSOFT = "microsoft"
PROVIDERS = (GOOGLE, MICROSOFT)

CONFIRMED = "confirmed"
TENTATIVE = "tentative"
CANCELLED = "cancelled"

# Response vocabulary is Google's; microsoft_render maps it to Graph's.
NEEDS_ACTION = "needsAction"
ACCEPTED = "accepted"
DECLINED = "declined"
TENTATIVE_RESPONSE = "tentative"

DAY = 86400


class Attendee(NamedTuple):
    email: str
    name: str
    response: str = NEEDS_ACTION
    optional: bool = False


class Person(NamedTuple):
    email: str
    name: str


class Event:
    """One stored event: a single event, a recurring master, or an exception of a master."""

    __slots__ = (
        "id", "calendar", "summary", "location", "start", "end", "all_day", "tz", "status", "show_as",
        "attendees", "organizer", "created", "updated", "sequence", "recurrence", "recurring_id",
        "original_start", "seq", "uid", "extra",
    )

    def __init__(
        self,
        id: str,
        calendar: Calendar,
        summary: str | None,
        start: int,
        end: int,
        tz: str,
        *,
        all_day: bool = False,
        location: str | None = None,
        status: str = CONFIRMED,
        show_as: str = "busy",
        attendees: tuple[Attendee, ...] = (),
        organizer: Person | None = None,
        created: int = 0,
        updated: int = 0,
        sequence: int = 0,
        recurrence: tuple[str, ...] | None = None,
        recurring_id: str | None = None,
        original_start: int | None = None,
        seq: int = 0,
        uid: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.calendar = calendar
        self.summary = summary
        self.location = location
        self.start = start
        self.end = end
        self.all_day = all_day
        self.tz = tz
        self.status = status
        self.show_as = show_as
        self.attendees = attendees
        self.organizer = organizer
        self.created = created
        self.updated = updated
        self.sequence = sequence
        self.recurrence = recurrence
        self.recurring_id = recurring_id
        self.original_start = original_start
        self.seq = seq
        self.uid = uid
        self.extra = extra

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def is_master(self) -> bool:
        return bool(self.recurrence)

    @property
    def ical_uid(self) -> str:
        # Google derives the iCalUID from the series id, so exceptions share their master's.
        return self.uid or f"{self.recurring_id or self.id}@google.com"

    def get_extra(self, key: str, default: Any = None) -> Any:
        return self.extra.get(key, default) if self.extra else default

    def set_extra(self, key: str, value: Any) -> None:
        if value is None:
            if self.extra:
                self.extra.pop(key, None)
            return
        if self.extra is None:
            self.extra = {}
        self.extra[key] = value

    def clone(self, calendar: Calendar) -> Event:
        ev = Event.__new__(Event)
        for name in Event.__slots__:
            setattr(ev, name, getattr(self, name))
        ev.calendar = calendar
        if self.extra is not None:
            ev.extra = dict(self.extra)
        return ev

    def assign(self, other: Event) -> None:
        """Take over every field of `other` (a working copy that passed validation)."""
        for name in Event.__slots__:
            setattr(self, name, getattr(other, name))

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.summary!r} {iso_utc(self.start)} {self.status}>"


class Calendar:
    __slots__ = (
        "id", "account", "name", "tz", "color", "primary", "access", "events", "exceptions", "resource_id",
        "seq", "sync_generation", "owner", "changes",
    )

    def __init__(
        self,
        id: str,
        account: Account,
        name: str,
        tz: str,
        *,
        color: str = "#9fe1e7",
        primary: bool = False,
        access: str = "owner",
        owner: Person | None = None,
    ) -> None:
        self.id = id
        self.account = account
        self.name = name
        self.tz = tz
        self.color = color
        self.primary = primary
        self.access = access  # Google accessRole: owner, writer, reader, freeBusyReader
        self.owner = owner or Person(account.email, account.name)
        self.events: dict[str, Event] = {}
        self.exceptions: dict[str, dict[int, Event]] = {}
        self.resource_id = hashlib.sha256(f"{account.email}/{id}".encode()).hexdigest()[:27]
        self.seq = 0  # last change number that touched this calendar; keys result caches
        self.sync_generation = 0  # bumped to invalidate every sync token of this calendar
        # (change number, event id) in change order, so an incremental list reads only what changed since its
        # token instead of scanning every event. Generated events predate every token and are not listed.
        self.changes: list[tuple[int, str]] = []

    @property
    def writable(self) -> bool:
        return self.access in ("owner", "writer")

    def clone(self, account: Account) -> Calendar:
        cal = Calendar.__new__(Calendar)
        for name in Calendar.__slots__:
            setattr(cal, name, getattr(self, name))
        cal.account = account
        cal.events = {}
        cal.exceptions = {}
        cal.changes = list(self.changes)
        for ev in self.events.values():
            cal.add(ev.clone(cal))
        return cal

    def add(self, event: Event) -> None:
        self.events[event.id] = event
        if event.recurring_id is not None and event.original_start is not None:
            self.exceptions.setdefault(event.recurring_id, {})[event.original_start] = event


class Account:
    __slots__ = ("provider", "email", "name", "tz", "uid", "tenant", "kind", "calendars", "transactions")

    def __init__(
        self, provider: str, email: str, name: str, tz: str, *, uid: str, tenant: str = "", kind: str = "work"
    ) -> None:
        self.provider = provider
        self.email = email
        self.name = name
        self.tz = tz
        self.uid = uid  # Google "sub" or Microsoft object id
        self.tenant = tenant  # Microsoft tenant id (utid); empty for Google
        self.kind = kind  # "work" or "personal": which Microsoft tenants may sign the account in
        self.calendars: dict[str, Calendar] = {}
        self.transactions: dict[str, str] = {}  # Graph transactionId -> event id

    @property
    def key(self) -> tuple[str, str]:
        return (self.provider, self.email)

    def clone(self) -> Account:
        """A deep copy of calendars and events (immutable parts shared): resets copy a pristine template."""
        acc = Account(self.provider, self.email, self.name, self.tz, uid=self.uid, tenant=self.tenant,
                      kind=self.kind)
        acc.calendars = {cid: cal.clone(acc) for cid, cal in self.calendars.items()}
        acc.transactions = dict(self.transactions)
        return acc

    @property
    def primary(self) -> Calendar:
        for cal in self.calendars.values():
            if cal.primary:
                return cal
        raise LookupError("account has no primary calendar")

    def event_count(self) -> int:
        return sum(len(c.events) for c in self.calendars.values())


# --- time helpers ---------------------------------------------------------------------------------------

zone = lru_cache(maxsize=None)(ZoneInfo)


def to_epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def local_epoch(tz: str, y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> int:
    return int(datetime(y, m, d, hh, mm, tzinfo=zone(tz)).timestamp())


def date_epoch(d: date) -> int:
    return _calendar.timegm((d.year, d.month, d.day, 0, 0, 0))


def epoch_date(ts: int) -> date:
    return date(1970, 1, 1) + timedelta(days=ts // DAY)


def in_zone(ts: int, tz: str) -> datetime:
    return datetime.fromtimestamp(ts, zone(tz))


def iso_utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(ms: int) -> str:
    """RFC 3339 with milliseconds, as Google writes `created`/`updated`."""
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def iso_local(ts: int, tz: str) -> str:
    return in_zone(ts, tz).isoformat()


def parse_rfc3339(value: str) -> int:
    """Parse an RFC 3339 timestamp with offset (or Z) to epoch seconds; raises ValueError."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value}")
    return int(dt.timestamp())


def all_day_window(start: int, end: int, tz: str) -> tuple[int, int]:
    """The real instants the all-day dates [start, end) cover when seen from a calendar in `tz`."""
    d0, d1 = epoch_date(start), epoch_date(end)
    z = zone(tz)
    return (
        int(datetime(d0.year, d0.month, d0.day, tzinfo=z).timestamp()),
        int(datetime(d1.year, d1.month, d1.day, tzinfo=z).timestamp()),
    )
