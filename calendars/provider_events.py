"""Interview events in the organizer's connected calendar, whichever provider keeps it.

The provider sends the invitations, updates and cancellations itself. Every function is safe to call again after a
failure or a lost answer (a Celery retry): creating uses an id derived from the caller's key, so a repeat finds the
first event instead of making a second one; cancelling something already gone counts as done.

Errors: `RateLimited` (with `retry_after`) and `TemporaryProviderError` are worth a retry later; `ReconnectNeeded`,
`EventNotFound` and other `ProviderError`s are to be recorded and shown.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

from .models import Calendar, CalendarConnection
from .providers.base import EventDraft, ProviderError, ProviderEventResult, Unauthorized
from .providers.google import GoogleProvider, google_event_id
from .providers.microsoft import MicrosoftProvider, graph_transaction_id
from .services import connection_access_token

logger = logging.getLogger(__name__)

T = TypeVar("T")


def event_create(*, connection: CalendarConnection, calendar: Calendar | None = None, key: str,
                 draft: EventDraft) -> ProviderEventResult:
    """Create the event; `key` identifies it for good (say, the interview's UID): the same key never makes two.

    A repeat returns the event as it is, even when the draft changed in between (use `event_update` for changes).
    After a cancel, do not create with the same key again: Google answers with the cancelled event (status
    "cancelled"), but Graph forgets a deleted event's transactionId and would make (and invite to) a new one, so
    the caller checks its own record (interview cancelled?) under its row lock before calling this.
    """
    calendar_id = _calendar_id(connection, calendar)
    if connection.provider == "google":
        google = GoogleProvider()
        return _with_token(connection, lambda token: google.insert_event(
            access_token=token, calendar_id=calendar_id or "primary", event_id=google_event_id(key), draft=draft,
        ))
    if connection.provider == "microsoft":
        microsoft = MicrosoftProvider()
        return _with_token(connection, lambda token: microsoft.create_event(
            access_token=token, calendar_id=calendar_id, transaction_id=graph_transaction_id(key), draft=draft,
        ))
    raise ProviderError(f"Calendar events are not supported for {connection.get_provider_display()}.")


def event_update(*, connection: CalendarConnection, provider_event_id: str, draft: EventDraft,
                 calendar: Calendar | None = None) -> ProviderEventResult:
    """Bring the event in line with `draft`; attendees get the provider's update. `calendar` as for the create."""
    if connection.provider == "google":
        google = GoogleProvider()
        calendar_id = _calendar_id(connection, calendar) or "primary"
        return _with_token(connection, lambda token: google.patch_event(
            access_token=token, calendar_id=calendar_id, event_id=provider_event_id, draft=draft,
        ))
    if connection.provider == "microsoft":
        # Graph finds an event by id in any of the mailbox's calendars.
        microsoft = MicrosoftProvider()
        return _with_token(connection, lambda token: microsoft.update_event(
            access_token=token, event_id=provider_event_id, draft=draft,
        ))
    raise ProviderError(f"Calendar events are not supported for {connection.get_provider_display()}.")


def event_cancel(*, connection: CalendarConnection, provider_event_id: str,
                 calendar: Calendar | None = None) -> ProviderEventResult:
    """Cancel the event; attendees get the provider's cancellation. An event already gone counts as cancelled."""
    if connection.provider == "google":
        google = GoogleProvider()
        calendar_id = _calendar_id(connection, calendar) or "primary"
        return _with_token(connection, lambda token: google.cancel_event(
            access_token=token, calendar_id=calendar_id, event_id=provider_event_id,
        ))
    if connection.provider == "microsoft":
        microsoft = MicrosoftProvider()
        return _with_token(connection, lambda token: microsoft.cancel_event(
            access_token=token, event_id=provider_event_id,
        ))
    raise ProviderError(f"Calendar events are not supported for {connection.get_provider_display()}.")


def _calendar_id(connection: CalendarConnection, calendar: Calendar | None) -> str | None:
    """The provider's id of the calendar to write to: the one asked for, else the organizer's primary calendar.

    None means "the account's default calendar" where no primary row is known (Google: 'primary', Graph: /me).
    """
    if calendar is not None:
        if calendar.connection_id != connection.pk:
            raise ValueError("The calendar belongs to another connection.")
        return calendar.provider_calendar_id
    primary = Calendar.objects.filter(connection=connection, is_primary=True).first()
    return primary.provider_calendar_id if primary else None


def _with_token(connection: CalendarConnection, call: Callable[[str], T]) -> T:
    """Run `call` with a valid access token; after a 401, refresh once and run it again.

    A 401 means the provider did nothing, so the second run cannot double anything. The token is refreshed under the
    connection's row lock (`connection_access_token`), so concurrent tasks make one refresh, not several.
    """
    try:
        return call(connection_access_token(connection_id=connection.pk))
    except Unauthorized:
        logger.info("Calendar connection %s: access token refused before its expiry; refreshing", connection.pk)
    CalendarConnection.objects.filter(pk=connection.pk).update(token_expires_at=None)
    return call(connection_access_token(connection_id=connection.pk))
