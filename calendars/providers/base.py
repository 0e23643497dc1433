"""The one interface every calendar provider adapter implements, the shapes it speaks in, and its errors.

An adapter (google.py, microsoft.py) implements all of `CalendarProvider` with these names and keyword arguments;
the rest of the app only ever holds a `CalendarProvider` from the registry (`providers.get_provider`) and never asks
which provider it is. What differs between providers (ids for idempotent creates, how push channels are laid out,
how an event's text is formatted) is decided inside the adapter.
"""

import html
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

logger = logging.getLogger(__name__)


# --- OAuth and account -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str  # empty when the provider sent none (Google only sends one on consent)
    expires_at: datetime | None
    scopes: str = ""


@dataclass(frozen=True)
class Account:
    account_id: str
    email: str
    name: str = ""


@dataclass(frozen=True)
class Grant:
    tokens: TokenSet
    account: Account


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    # What the callback needs to finish this flow (PKCE verifier, msal's flow dict); kept in the session only.
    flow: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProviderCalendar:
    calendar_id: str
    name: str
    time_zone: str = ""
    color: str = ""
    is_primary: bool = False
    can_edit: bool = False


# --- event writes ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDraft:
    """What an interview looks like in the organizer's calendar, whichever provider keeps it.

    Plain data: the adapters turn it into their provider's event with `event_description` and `event_location`,
    so each piece of the event's text is put together in one place.
    """

    summary: str
    description: str  # the recruiter's own text, without the video link
    location: str  # empty for a call: the video link stands in
    start: datetime  # aware
    end: datetime  # aware
    time_zone: str  # IANA name; the provider keeps the event's wall-clock time in this zone
    attendees: list[tuple[str, str]]  # (name, email)
    ical_uid: str
    video_link: str = ""
    # Ask the provider for its own video meeting with the event (Google Meet, Microsoft Teams): its join link then
    # comes back in the result and stands in for `video_link`. Once made, an update keeps the same meeting.
    online_meeting: bool = False
    # With `online_meeting`, on an update: ask the provider for its meeting again (the last request failed). An id
    # new for each request a person makes: Google ignores a createRequest whose requestId it has seen.
    meeting_request: str = ""

    def __post_init__(self) -> None:
        # Mistakes here are programming errors in the caller; catching them before any HTTP call keeps a retried
        # task from hammering a provider with a request that can never succeed.
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("EventDraft needs aware start and end datetimes.")
        if self.end <= self.start:
            raise ValueError("EventDraft ends before it starts.")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"EventDraft has an unknown time zone: {self.time_zone!r}.") from None
        if any("@" not in email for _, email in self.attendees):
            raise ValueError("EventDraft has an attendee without an email address.")


def event_description(draft: EventDraft, *, as_html: bool) -> str:
    """The event's description: the recruiter's text, then the video link. The only place that writes the
    "Video call: …" line into a provider event, as plain text (Google) or as HTML (Graph)."""
    if not as_html:
        parts = [draft.description.strip()] if draft.description.strip() else []
        if draft.video_link:
            parts.append(f"Video call: {draft.video_link}")
        return "\n\n".join(parts)
    # Recruiter-written text: escaped, never interpreted as markup.
    parts = [html.escape(draft.description).replace("\n", "<br>")] if draft.description else []
    if draft.video_link:
        link = html.escape(draft.video_link, quote=True)
        if draft.video_link.lower().startswith(("https://", "http://")):
            link = f'<a href="{link}">{link}</a>'
        parts.append(f"Video call: {link}")
    return "<br><br>".join(parts)


def event_location(draft: EventDraft) -> str:
    # Without a place the video link is where people go; calendars show the location most prominently.
    return draft.location or draft.video_link


# Where the provider's video meeting for an event stands (ProviderEventResult.meeting_state).
MEETING_PENDING = "pending"  # asked for, not made yet: read the event again later
MEETING_READY = "ready"  # made: `meeting_url` is the join link
MEETING_FAILED = "failed"  # the provider will not make it: `meeting_error` says why


@dataclass(frozen=True)
class ProviderEventResult:
    provider_event_id: str
    status: str  # "created", "updated", "cancelled" or "read"
    html_link: str = ""
    ical_uid: str = ""
    meeting_state: str = ""  # empty: the event has no video meeting of the provider's
    meeting_url: str = ""
    meeting_label: str = ""  # the meeting's product name, as the provider calls it ("Google Meet")
    meeting_error: str = ""


# --- sync pages --------------------------------------------------------------------------------------------------

# Attendee responses in one vocabulary, whichever provider they came from.
RESPONSES = {
    # Google
    "needsAction": "needs_action", "accepted": "accepted", "tentative": "tentative", "declined": "declined",
    # Microsoft Graph
    "none": "needs_action", "notResponded": "needs_action", "tentativelyAccepted": "tentative",
    "organizer": "accepted",
}

# What an event's status may be once stored; anything else a provider invents is stored as "confirmed" (busy).
EVENT_STATUSES = ("confirmed", "tentative", "cancelled")

# What malformed provider data raises while one item is read: a missing key, a wrong type, a date that does not
# exist, a year out of range. Adapters catch exactly these around one item.
UNREADABLE = (KeyError, ValueError, TypeError, AttributeError, ArithmeticError)


def normalize_response(value: object) -> str:
    return RESPONSES.get(value, "needs_action") if isinstance(value, str) else "needs_action"


@dataclass(slots=True)
class EventData:
    """One event as a provider adapter reads it; normalised for storage by the sync (sync/normalize.py).

    A value: nothing changes one after it is made (normalising makes a new one with dataclasses.replace). Not
    declared frozen all the same, because a frozen dataclass sets each field through object.__setattr__: 2.7 µs
    an event against 0.2 µs, measured, and a full sync makes one per event it reads.
    """

    provider_event_id: str
    ical_uid: str
    title: str
    start: datetime
    end: datetime
    time_zone: str
    all_day: bool
    start_date: date | None
    end_date: date | None
    status: str
    is_busy: bool
    organizer_email: str
    organizer_name: str
    attendees: list[dict]
    series_id: str
    provider_updated_at: datetime | None


@dataclass(slots=True)
class Page:
    """One page of a calendar's events, as `fetch_events_page` returns it."""

    events: list[EventData] = field(default_factory=list)
    removed_ids: list[str] = field(default_factory=list)
    next_page: str = ""  # where to continue; empty on the last page
    cursor: str = ""  # the cursor for the next incremental sync; only on the last page
    skipped: int = 0  # events the provider sent that could not be read or stored

    def skip(self, item: object, error: Exception) -> None:
        """Count an item that could not be read; the page goes on without it."""
        self.skipped += 1
        item_id = item.get("id") if isinstance(item, dict) else None
        logger.warning("Skipped an event the provider sent that could not be read (id %r): %s",
                       str(item_id)[:64] if item_id is not None else None, type(error).__name__)


# Files of the zone database that are not places: "localtime" is the server's own zone, "posixrules" a template,
# "Factory" a placeholder.
_NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})


def read_json(content: bytes):
    """A provider's JSON answer, decoded. orjson reads a full sync's pages in about 60 % of the standard library's
    time (a page of 2,500 Google events: 27 ms against 44 ms); what it refuses and the standard library reads
    (integers beyond 64 bits, NaN) is read by the latter, so a page reads the same either way."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return json.loads(content)


def zone_named(name: object, default: ZoneInfo | None = None) -> ZoneInfo | None:
    """The IANA zone called `name`, or `default` for an empty or unknown name (never an error: provider data).

    Opened directly (ZoneInfo caches what it opened): listing every zone on disk would cost a sync tens of ms.
    """
    if not isinstance(name, str) or not name or name in _NOT_PLACES:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder of the database, such as "Europe"
        return default


# --- push channels -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    """A push channel as the provider knows it: Google's watch channel, Graph's subscription.

    `secret` comes back with every notification (Google's channel token, Graph's clientState); `calendar_id` is the
    calendar it watches, None for the whole account.
    """

    channel_id: str
    secret: str
    expires_at: datetime
    resource_id: str = ""
    calendar_id: str | None = None


# --- errors --------------------------------------------------------------------------------------------------------


class ProviderError(Exception):
    """A provider call failed; the message is written for the user (no tokens, no raw bodies)."""


class UnknownProvider(ProviderError):
    """No adapter is registered under this name."""


class AuthorizationFailed(ProviderError):
    """The OAuth dance did not produce a grant (denied, bad code, PKCE mismatch, …)."""


class ReconnectNeeded(ProviderError):
    """The refresh token is dead (`invalid_grant`): only the member can fix it by connecting again."""


class Unauthorized(ProviderError):
    """The provider refused the access token (401) before its expiry: refresh it once and try again."""


class RateLimited(ProviderError):
    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryProviderError(ProviderError):
    """5xx, timeouts, connection errors: worth retrying later."""


class EventNotFound(ProviderError):
    """The event we wrote is no longer in the calendar (someone deleted it there): updating it cannot work."""


class FullSyncRequired(ProviderError):
    """The provider no longer accepts our cursor (Google 410 fullSyncRequired, Graph 410 syncStateNotFound)."""


# --- the interface -------------------------------------------------------------------------------------------------


class CalendarProvider(Protocol):
    """Everything the app asks of a calendar provider. Every call that takes an `access_token` raises
    `Unauthorized` on a refused token (the caller refreshes once and repeats: see calendars/tokens.py),
    `RateLimited` / `TemporaryProviderError` for what is worth a retry later, other `ProviderError`s otherwise."""

    name: str
    # The video meeting the provider makes with an event (an OnlineMeeting value of the scheduling app) and its
    # product name for people.
    meeting_kind: str
    meeting_label: str

    # OAuth
    def begin_authorization(self, *, state: str, redirect_uri: str) -> AuthorizationStart: ...

    def complete_authorization(self, *, flow: dict, params: dict, redirect_uri: str) -> Grant: ...

    def refresh(self, *, refresh_token: str) -> TokenSet:
        """New tokens; `ReconnectNeeded` when the grant is dead. A provider that rotates refresh tokens returns the
        new one: the caller stores it every time."""

    def revoke(self, *, token: str) -> None:
        """Give up the grant at the provider, where it offers that; nothing to do is not an error."""

    # Account and calendars
    def account(self, *, access_token: str) -> Account: ...

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]: ...

    # Sync
    def fetch_events_page(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                          window: tuple[datetime, datetime]) -> Page:
        """One page of the calendar's events inside `window`: the first of a full sync (no page, no cursor), the
        first of an incremental one (`cursor`), or a later one (`page`). `FullSyncRequired` when the cursor has
        expired. Only HTTP: the sync calls it from a prefetch thread."""

    def fetch_events_content(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                             window: tuple[datetime, datetime]) -> bytes:
        """`fetch_events_page` in two halves, this one the HTTP: the page's body as it came, for `read_events_page`
        here or in a sync worker process (a large full sync decodes pages there, beside the write)."""

    def read_events_page(self, content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
                         on_links: Callable[[str, str], None] | None = None) -> Page:
        """The other half: the page read from its body, with no HTTP and no database. `on_links` receives the
        next page's token and the new cursor as soon as they are read, before the events are."""

    # Events in the organizer's calendar; the provider sends the invitations, updates and cancellations.
    def create_event(self, *, access_token: str, calendar_id: str | None, key: str,
                     draft: EventDraft) -> ProviderEventResult:
        """Create the event (`calendar_id` None: the account's default calendar). Safe to repeat: the adapter
        derives its provider's idempotency id from `key`, so a repeat returns the first event."""

    def update_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     draft: EventDraft, restore: bool = False) -> ProviderEventResult:
        """Bring the event in line with `draft`; `EventNotFound` when it was deleted in the calendar, unless
        `restore` asks to bring a deleted event back and the provider can (Google keeps deleted events)."""

    def read_event(self, *, access_token: str, calendar_id: str | None, event_id: str) -> ProviderEventResult:
        """The event as the provider has it now (status "read"): how a video meeting that was still pending
        is seen to be made. `EventNotFound` when it is gone."""

    def cancel_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     comment: str = "") -> ProviderEventResult:
        """Cancel the event, with `comment` to the attendees where the provider carries one. An event that is
        already gone counts as cancelled."""

    # Push notifications
    def channel_calendars(self, selected: Sequence[str]) -> list[str | None]:
        """Which channels this provider needs for these selected calendar ids: one per calendar id, None meaning
        one for the whole account."""

    def open_channel(self, *, access_token: str, calendar_id: str | None, channel_id: str, secret: str,
                     address: str) -> Channel:
        """Ask the provider to POST to `address` on changes. `channel_id` is our proposal (a provider that names
        its channels itself returns its own)."""

    def renew_channel(self, *, access_token: str, channel: Channel, address: str, new_channel_id: str,
                      new_secret: str) -> Channel:
        """Keep the channel going past its expiry: extended in place, or replaced (then the new ids are used)."""

    def close_channel(self, *, access_token: str, channel: Channel) -> None:
        """Stop the channel; one that is already gone counts as closed."""
