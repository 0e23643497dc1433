"""The sync engine: mirrors every selected calendar of a connection, page by page, resumable.

Each page is written in one transaction together with where to continue, so a sync interrupted by a rate limit,
an error or a dead worker resumes at the page it was on. The cursor for the next incremental sync is saved only
with the last page, and a full sync deletes what it did not see only at its very end, so the calendar never
looks empty while it is being replaced.
"""

import logging
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Subquery
from django.utils import timezone

from ..models import Calendar, CalendarConnection, Event
from ..providers import get_provider
from ..providers.base import ProviderError, RateLimited, ReconnectNeeded, TemporaryProviderError, Unauthorized
from ..services import calendars_store, connection_access_token
from . import lock
from .google import GoogleEventSource
from .microsoft import MicrosoftEventSource
from .store import upsert_events
from .types import FullSyncRequired, Page

logger = logging.getLogger(__name__)

SOURCES = {"google": GoogleEventSource, "microsoft": MicrosoftEventSource}


class SyncDeferred(Exception):
    """The provider asked us to come back later than we are willing to wait in-process."""

    def __init__(self, message: str, *, countdown: float):
        super().__init__(message)
        self.countdown = countdown


class SyncRun:
    def __init__(self, connection: CalendarConnection, token: str, *, sleep: Callable[[float], None] = time.sleep,
                 progress: Callable[[int, int], None] | None = None):
        self.connection = connection
        self.token = token
        self.sleep = sleep
        self.progress = progress
        self.pages = self.events = 0
        self.refreshed_after_401 = False
        self.access_token = connection_access_token(connection_id=self.connection.pk)
        self.source = SOURCES[self.connection.provider](self.access_token)

    def _refresh_after_401(self) -> None:
        """The token died before its expiry (revoked session, clock skew): refresh once per run, not in a loop."""
        if self.refreshed_after_401:
            raise ProviderError("The provider keeps refusing fresh access tokens.")
        self.refreshed_after_401 = True
        CalendarConnection.objects.filter(pk=self.connection.pk).update(token_expires_at=None)
        self.access_token = connection_access_token(connection_id=self.connection.pk)
        self.source = SOURCES[self.connection.provider](self.access_token)

    def refresh_calendar_list(self) -> None:
        adapter = get_provider(self.connection.provider)
        try:
            calendars = adapter.list_calendars(access_token=self.access_token)
        except Unauthorized:
            self._refresh_after_401()
            calendars = adapter.list_calendars(access_token=self.access_token)
        with transaction.atomic():
            calendars_store(self.connection, calendars)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        # Exponential with full jitter, so many workers hitting one limit do not come back in lockstep.
        base, cap = settings.CALENDAR_SYNC_BACKOFF_BASE_SECONDS, settings.CALENDAR_SYNC_BACKOFF_MAX_SECONDS
        ceiling = min(cap, base * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)

    def fetch(self, calendar: Calendar, *, page: str, cursor: str) -> Page:
        attempts = settings.CALENDAR_SYNC_PAGE_ATTEMPTS
        for attempt in range(attempts):
            try:
                return self.source.fetch(calendar, page=page, cursor=cursor)
            except Unauthorized:
                self._refresh_after_401()
            except (RateLimited, TemporaryProviderError) as error:
                delay = self._backoff(attempt, getattr(error, "retry_after", None))
                if attempt == attempts - 1 or delay > settings.CALENDAR_SYNC_BACKOFF_MAX_SECONDS:
                    raise SyncDeferred(str(error), countdown=max(delay, 1.0)) from None
                logger.info("Sync of connection %s: %s; trying the page again in %.1f s",
                            self.connection.pk, error, delay)
                self.sleep(delay)
        raise ProviderError("The provider kept failing.")

    def sync_calendar(self, calendar: Calendar, *, full: bool) -> None:
        resuming = bool(calendar.sync_mode and calendar.sync_page)
        if resuming:
            mode = calendar.sync_mode
        else:
            mode = "full" if full or not calendar.sync_cursor else "incremental"
            if mode == "full":
                calendar.sync_generation += 1
        page = calendar.sync_page if resuming else ""
        while True:
            cursor = calendar.sync_cursor if mode == "incremental" else ""
            try:
                result = self.fetch(calendar, page=page, cursor=cursor)
            except FullSyncRequired:
                logger.info("Calendar %s needs a full sync; starting one", calendar.pk)
                mode, page = "full", ""
                calendar.sync_cursor = ""
                calendar.sync_generation += 1
                continue
            self._write_page(calendar, result, mode)
            if not result.next_page:
                return
            page = result.next_page

    @transaction.atomic
    def _write_page(self, calendar: Calendar, result: Page, mode: str) -> None:
        upsert_events(calendar, result.events, calendar.sync_generation)
        if result.removed_ids:
            Event.objects.filter(calendar=calendar, provider_event_id__in=result.removed_ids).delete()
        if result.next_page:
            calendar.sync_page, calendar.sync_mode = result.next_page, mode
        else:
            calendar.sync_page, calendar.sync_mode = "", ""
            calendar.sync_cursor = result.cursor
            calendar.synced_at = timezone.now()
            if mode == "full":
                Event.objects.filter(calendar=calendar, sync_generation__lt=calendar.sync_generation).delete()
        calendar.save(update_fields=["sync_page", "sync_mode", "sync_cursor", "sync_generation", "synced_at"])
        lock.heartbeat(self.connection.pk, self.token, pages=1, events=len(result.events))
        self.pages += 1
        self.events += len(result.events)
        if self.progress:
            self.progress(self.pages, self.events)


def _record_success(connection_id: int) -> None:
    stored = Event.objects.filter(calendar__connection_id=connection_id).order_by().values("calendar__connection")
    CalendarConnection.objects.filter(pk=connection_id).update(
        last_sync_at=datetime.now(UTC),
        events_count=Subquery(stored.annotate(n=Count("pk")).values("n")[:1]),
        syncs_succeeded=F("syncs_succeeded") + 1,
        last_error="", last_error_class="", last_error_at=None,
    )


def record_failure(connection_id: int, error: Exception, *, counted: bool) -> None:
    changes = {
        "last_error": str(error)[:1000] or type(error).__name__,
        "last_error_class": type(error).__name__,
        "last_error_at": timezone.now(),
    }
    if counted:
        changes["syncs_failed"] = F("syncs_failed") + 1
    CalendarConnection.objects.filter(pk=connection_id).update(**changes)


def connection_sync(*, connection_id: int, full: bool = False, sleep: Callable[[float], None] = time.sleep,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Sync one connection. Returns what happened: {"ran": bool, "again": bool, "again_full": bool}.

    Raises SyncDeferred (come back later: the state to resume from is saved), ReconnectNeeded (the connection is
    marked and its owner told), or ProviderError (recorded on the connection).
    """
    acquired = lock.acquire(connection_id, full=full)
    if acquired is None:
        return {"ran": False, "again": False, "again_full": False}
    token, full = acquired
    try:
        connection = CalendarConnection.objects.select_related("company").get(pk=connection_id)
        if connection.needs_reconnect:
            raise ReconnectNeeded(connection.last_error or "This calendar needs to be reconnected.")
        run = SyncRun(connection, token, sleep=sleep, progress=progress)
        if full:
            run.refresh_calendar_list()
        for calendar in Calendar.objects.filter(connection=connection).order_by("pk"):
            if calendar.is_selected:
                run.sync_calendar(calendar, full=full)
            elif calendar.sync_cursor or calendar.sync_page:
                # Deselected since its last sync: it no longer counts, so forget its events.
                with transaction.atomic():
                    Event.objects.filter(calendar=calendar).delete()
                    Calendar.objects.filter(pk=calendar.pk).update(sync_cursor="", sync_page="", sync_mode="")
        _record_success(connection_id)
    except SyncDeferred as error:
        # Not a failure yet: the task comes back and resumes from the saved page.
        record_failure(connection_id, error, counted=False)
        raise
    except lock.LockLost:
        logger.warning("Sync of connection %s was taken over by another worker; stopping", connection_id)
        return {"ran": True, "again": False, "again_full": False}
    except ProviderError as error:
        record_failure(connection_id, error, counted=True)
        raise
    finally:
        again, again_full = lock.release(connection_id, token)
    return {"ran": True, "again": again, "again_full": again_full}
