"""What every calendar provider adapter offers, and the errors the rest of the app handles."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
class ProviderCalendar:
    calendar_id: str
    name: str
    time_zone: str = ""
    color: str = ""
    is_primary: bool = False
    can_edit: bool = False


@dataclass(frozen=True)
class AuthorizationStart:
    url: str
    # What the callback needs to finish this flow (PKCE verifier, msal's flow dict); kept in the session only.
    flow: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EventDraft:
    """What an interview looks like in the organizer's calendar, whichever provider keeps it."""

    summary: str
    description: str
    location: str
    start: datetime  # aware
    end: datetime  # aware
    time_zone: str  # IANA name; the provider keeps the event's wall-clock time in this zone
    attendees: list[tuple[str, str]]  # (name, email)
    ical_uid: str
    video_link: str = ""

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


@dataclass(frozen=True)
class ProviderEventResult:
    provider_event_id: str
    status: str  # "created", "updated" or "cancelled"
    html_link: str = ""
    ical_uid: str = ""


class ProviderError(Exception):
    """A provider call failed; the message is written for the user (no tokens, no raw bodies)."""


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


class CalendarProvider(Protocol):
    name: str

    def begin_authorization(self, *, state: str, redirect_uri: str) -> AuthorizationStart: ...

    def complete_authorization(self, *, flow: dict, params: dict, redirect_uri: str) -> Grant: ...

    def refresh(self, *, refresh_token: str) -> TokenSet: ...

    def revoke(self, *, token: str) -> None: ...

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]: ...
