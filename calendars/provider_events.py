"""Interview events in the organizer's connected calendar, whichever provider keeps it.

The provider sends the invitations, updates and cancellations itself. Every function is safe to call again after a
failure or a lost answer (a Celery retry): creating uses an id derived from the caller's key, so a repeat finds the
first event instead of making a second one; cancelling something already gone counts as done.

Errors: `RateLimited` (with `retry_after`) and `TemporaryProviderError` are worth a retry later; `ReconnectNeeded`,
`EventNotFound` and other `ProviderError`s are to be recorded and shown.
"""

from .models import Calendar, CalendarConnection
from .providers import get_provider
from .providers.base import EventDraft, ProviderEventResult
from .tokens import with_fresh_token


def event_create(*, connection: CalendarConnection, calendar: Calendar | None = None, key: str,
                 draft: EventDraft) -> ProviderEventResult:
    """Create the event; `key` identifies it for good (say, the interview's UID): the same key never makes two.

    A repeat returns the event as it is, even when the draft changed in between (use `event_update` for changes).
    After a cancel, do not create with the same key again: Google answers with the cancelled event (status
    "cancelled"), but Graph forgets a deleted event's transactionId and would make (and invite to) a new one, so
    the caller checks its own record (interview cancelled?) under its row lock before calling this.
    """
    adapter, calendar_id = get_provider(connection.provider), _calendar_id(connection, calendar)
    return with_fresh_token(connection.pk, lambda token: adapter.create_event(
        access_token=token, calendar_id=calendar_id, key=key, draft=draft,
    ))


def event_update(*, connection: CalendarConnection, provider_event_id: str, draft: EventDraft,
                 calendar: Calendar | None = None, restore: bool = False) -> ProviderEventResult:
    """Bring the event in line with `draft`; attendees get the provider's update. `calendar` as for the create;
    `restore`: bring back an event deleted in the calendar where the provider can (else EventNotFound)."""
    adapter, calendar_id = get_provider(connection.provider), _calendar_id(connection, calendar)
    return with_fresh_token(connection.pk, lambda token: adapter.update_event(
        access_token=token, calendar_id=calendar_id, event_id=provider_event_id, draft=draft, restore=restore,
    ))


def event_cancel(*, connection: CalendarConnection, provider_event_id: str, calendar: Calendar | None = None,
                 comment: str = "") -> ProviderEventResult:
    """Cancel the event; attendees get the provider's cancellation (with `comment` where the provider carries
    one). An event already gone counts as cancelled."""
    adapter, calendar_id = get_provider(connection.provider), _calendar_id(connection, calendar)
    return with_fresh_token(connection.pk, lambda token: adapter.cancel_event(
        access_token=token, calendar_id=calendar_id, event_id=provider_event_id, comment=comment,
    ))


def _calendar_id(connection: CalendarConnection, calendar: Calendar | None) -> str | None:
    """The provider's id of the calendar to write to: the one asked for, else the organizer's primary calendar.

    None means "the account's default calendar" where no primary row is known (the adapter knows its name for it).
    """
    if calendar is not None:
        if calendar.connection_id != connection.pk:
            raise ValueError("The calendar belongs to another connection.")
        return calendar.provider_calendar_id
    primary = Calendar.objects.filter(connection=connection, is_primary=True).first()
    return primary.provider_calendar_id if primary else None
