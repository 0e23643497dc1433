"""The sync engine: mirrors every selected calendar of a connection, page by page, resumable.

Each page is written in one transaction together with where to continue, so a sync interrupted by a rate limit,
an error or a dead worker resumes at the page it was on. The cursor for the next incremental sync is saved only
with the last page, and a full sync deletes what it did not see only at its very end, so the calendar never
looks empty while it is being replaced.
"""

import gc
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, F, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from recruitee.tasking import backoff_seconds

from ..models import Calendar, CalendarConnection, Event
from ..providers import get_provider
from ..providers.base import (
    FullSyncRequired,
    Page,
    ProviderCalendar,
    ProviderError,
    RateLimited,
    ReconnectNeeded,
    TemporaryProviderError,
    Unauthorized,
)
from ..tokens import FreshToken
from . import lock
from .calendar_list import calendars_store
from .normalize import clean_page
from .offload import PageWorker, Workers, event_ids, offloaded_pages
from .prefetch import Prefetcher, fetched_pages
from .rows import PreparedPage, prepare_page, read_page
from .signals import events_synced
from .store import RowsRefused, upsert_events, upsert_events_one_by_one
from .window import sync_window
from .worker import PROVIDERS as WORKER_PROVIDERS

logger = logging.getLogger(__name__)


# Where a calendar's sync goes on from, saved with every page.
POSITION_FIELDS = ["sync_page", "sync_mode", "sync_cursor", "sync_generation", "synced_at"]
# A page that changed nothing skips the heartbeat while the last one is younger than this (far below the
# CALENDAR_SYNC_LOCK_STALE_SECONDS after which another worker may take the lock).
QUIET_PAGE_HEARTBEAT_SECONDS = 5.0
# A full sync on PostgreSQL reads its pages in worker processes (see worker.py) past a number of events: settings
# CALENDAR_SYNC_WORKER_AFTER_EVENTS and CALENDAR_SYNC_WORKER_PROCESSES say when and how many, and why.


class SyncDeferred(Exception):
    """The provider asked us to come back later than we are willing to wait in-process."""

    def __init__(self, message: str, *, countdown: float):
        super().__init__(message)
        self.countdown = countdown


class SyncRun:
    def __init__(self, connection: CalendarConnection, token: str, *, sleep: Callable[[float], None] = time.sleep,
                 progress: Callable[[int, int], None] | None = None):
        self.connection = connection
        self.lock_token = token
        self.sleep = sleep
        self.progress = progress
        self.pages = self.events = 0
        # The lock was taken (its heartbeat written) just before the run began.
        self.last_heartbeat, self.unreported_pages = time.monotonic(), 0
        self.adapter = get_provider(connection.provider)
        # One token for the run: refreshed under the connection's lock, and once more should the provider refuse it.
        self.access = FreshToken(connection.pk, loaded=connection)
        self.window = sync_window()
        # The worker processes that read a big calendar's pages, shared by the calendars of the run (see _worker).
        self.workers = Workers(settings.CALENDAR_SYNC_WORKER_PROCESSES)

    def refresh_calendar_list(self) -> None:
        calendars = self.access.run(lambda access_token: self.adapter.list_calendars(access_token=access_token))
        with transaction.atomic():
            calendars_store(self.connection, calendars)

    def fetch(self, calendar: ProviderCalendar, *, page: str, cursor: str, access_token: str) -> Page:
        """One page, with retries for rate limits and temporary errors. Runs in the prefetch thread: HTTP only,
        no database (an Unauthorized goes back to the sync's own thread, which refreshes the token)."""
        return self._retrying(lambda: self.adapter.fetch_events_page(
            access_token=access_token, calendar=calendar, page=page, cursor=cursor, window=self.window))

    def fetch_content(self, calendar: ProviderCalendar, *, page: str, cursor: str, access_token: str) -> bytes:
        """As fetch, but the page's body as it came, to be read by rows.read_page (here or in the worker)."""
        return self._retrying(lambda: self.adapter.fetch_events_content(
            access_token=access_token, calendar=calendar, page=page, cursor=cursor, window=self.window))

    def _retrying(self, request: Callable[[], Any]) -> Any:
        attempts = settings.CALENDAR_SYNC_PAGE_ATTEMPTS
        for attempt in range(1, attempts + 1):
            try:
                return request()
            except (RateLimited, TemporaryProviderError) as error:
                retry_after = getattr(error, "retry_after", None)
                delay = retry_after if retry_after is not None else backoff_seconds(
                    attempt, base=settings.CALENDAR_SYNC_BACKOFF_BASE_SECONDS,
                    cap=settings.CALENDAR_SYNC_BACKOFF_MAX_SECONDS)
                if attempt == attempts or delay > settings.CALENDAR_SYNC_BACKOFF_MAX_SECONDS:
                    raise SyncDeferred(str(error), countdown=max(delay, 1.0)) from None
                logger.info("Sync of connection %s: %s; trying the page again in %.1f s",
                            self.connection.pk, error, delay)
                self.sleep(delay)
        raise ProviderError("The provider kept failing.")

    def _prefetcher(self, calendar: Calendar, state: dict) -> Prefetcher:
        # What the prefetch thread needs, read here: it must not touch the database (or the calendar row).
        target = ProviderCalendar(calendar_id=calendar.provider_calendar_id, name=calendar.name,
                                  time_zone=calendar.time_zone)
        cursor = calendar.sync_cursor if state["mode"] == "incremental" else ""
        access_token = state["token"] = self.access.value
        # The generation is fixed for this prefetcher's life: a restart (410) makes a new prefetcher.
        ids = {"company_id": calendar.company_id, "calendar_id": calendar.pk, "generation": calendar.sync_generation,
               "copy": db.vendor == "postgresql"}
        if state["mode"] == "full" and ids["copy"] and self._worker_wanted():
            # A full sync, which may be big: its pages go to the worker processes once the calendar proves big (they
            # make COPY rows, hence PostgreSQL only). Until then, and whenever they cannot, pages are read here.
            job = {"provider": self.adapter.name, "calendar": target.calendar_id, "time_zone": target.time_zone,
                   "window": [edge.isoformat() for edge in self.window], "ids": ids}
            return Prefetcher(offloaded_pages(
                fetch=lambda page: self.fetch_content(target, page=page, cursor="", access_token=access_token),
                read_here=lambda content: read_page(self.adapter.read_events_page, content, calendar=target,
                                                    window=self.window, ids=ids),
                first_page=state["page"], worker=self._worker, job=job))

        def prepare(page: Page) -> tuple[Page, PreparedPage]:
            # Normalising and building the rows cost CPU, not database time: done here, they overlap the writing
            # of the page before (in the consuming thread, which mostly waits on the database).
            page = clean_page(page)
            return page, prepare_page(events=page.events, **ids)

        return Prefetcher(fetched_pages(
            lambda page: self.fetch(target, page=page, cursor=cursor, access_token=access_token), state["page"],
            prepare))

    @staticmethod
    def _worker_after_events() -> int | None:
        return settings.CALENDAR_SYNC_WORKER_AFTER_EVENTS

    def _worker_wanted(self) -> bool:
        return (self._worker_after_events() is not None and self.adapter.name in WORKER_PROVIDERS
                and len(os.sched_getaffinity(0)) > 1)

    def _worker(self, events_read: int) -> PageWorker | None:
        """The worker process for a full sync's next page once `events_read` (so far, in the calendar) are enough
        to make the workers worth starting, and only once one is up (until then, and should they fail, None: the
        page is read here)."""
        if events_read < self._worker_after_events():
            return None
        return self.workers.next()

    @staticmethod
    def _start_state(calendar: Calendar, *, full: bool) -> dict:
        """Where this calendar's sync begins: resume an interrupted one, or start a full or incremental one."""
        if calendar.sync_mode and calendar.sync_page:
            return {"mode": calendar.sync_mode, "page": calendar.sync_page}
        mode = "full" if full or not calendar.sync_cursor else "incremental"
        if mode == "full":
            calendar.sync_generation += 1
        return {"mode": mode, "page": ""}

    def sync_calendars(self, calendars: list[Calendar], *, full: bool) -> None:
        """Sync calendars one after the other in the database, while the next few are already being fetched."""
        states = [self._start_state(calendar, full=full) for calendar in calendars]
        ahead = settings.CALENDAR_SYNC_CONCURRENCY
        running: dict[int, Prefetcher] = {}
        try:
            for index, calendar in enumerate(calendars):
                for later in range(index, min(index + ahead, len(calendars))):
                    if later not in running:
                        running[later] = self._prefetcher(calendars[later], states[later])
                self._consume(calendar, states[index], running.pop(index))
        finally:
            for prefetcher in running.values():
                prefetcher.close()
            if self.workers.pages:
                logger.info("Sync of connection %s: %d pages read by the worker processes", self.connection.pk,
                            self.workers.pages)
            self.workers.close()

    def _consume(self, calendar: Calendar, state: dict, prefetcher: Prefetcher) -> None:
        while True:
            try:
                for result, prepared in prefetcher:
                    self._write_page(calendar, result, state["mode"], fresh=self._fresh(calendar, state),
                                     prepared=prepared)
                    # Where to go on from: after an error below, the failed page is fetched again, not the first.
                    state["page"] = result.next_page
                return
            except Unauthorized as refused:
                # Only refresh if no other calendar's prefetch has already done so since this one started.
                if state["token"] == self.access.value:
                    self.access.refresh_after_401(refused)
            except FullSyncRequired:
                logger.info("Calendar %s needs a full sync; starting one", calendar.pk)
                state.update(mode="full", page="")
                calendar.sync_cursor = ""
                calendar.sync_generation += 1
            prefetcher = self._prefetcher(calendar, state)

    @staticmethod
    def _fresh(calendar: Calendar, state: dict) -> bool:
        """Whether every row of the calendar was written by this full sync (none from before it): then its pages
        can be inserted rather than upserted. Asked once per full sync of a calendar (and again after a restart)."""
        if state["mode"] != "full":
            return False
        key = ("fresh", calendar.sync_generation)
        if key not in state:
            older = Event.objects.filter(calendar=calendar, sync_generation__lt=calendar.sync_generation)
            state[key] = not older.exists()
        return state[key]

    def _write_page(self, calendar: Calendar, result: Page, mode: str, *, fresh: bool = False,
                    prepared: PreparedPage | None = None) -> None:
        """Write a page that clean_page has normalised (and prepare_page may have made ready)."""
        try:
            self._write_clean_page(calendar, result, mode, one_by_one=False, fresh=fresh, prepared=prepared)
        except RowsRefused as error:
            # Rolled back whole; write it again the slow way, so only the refused events are left out.
            logger.warning("Calendar %s: the database refused part of a page (%s); writing it event by event",
                           calendar.pk, error)
            self._write_clean_page(calendar, result, mode, one_by_one=True)
        self._announce(result, full=mode == "full")

    def _announce(self, result: Page, *, full: bool) -> None:
        """Tell the apps above calendars which provider events the committed page wrote or removed (ids only).
        Free while nobody listens; a listener's failure is logged and never fails the sync (the page is stored)."""
        if not events_synced.receivers:
            return
        if full and result.next_page:
            # A full sync's pages before its last: the announcement of the last one (`complete`) asks listeners to
            # look at everything, so page by page they would only read their own rows again and again (measured:
            # half the database thread's time in a 100,000-event first sync went to that).
            return
        complete = full  # the last page of a full sync
        ids = frozenset(event_ids(result.events) + list(result.removed_ids))
        if not ids and not complete:
            return
        answers = events_synced.send_robust(CalendarConnection, company_id=self.connection.company_id,
                                            connection_id=self.connection.pk, provider_event_ids=ids,
                                            complete=complete)
        for receiver, outcome in answers:
            if isinstance(outcome, Exception):
                logger.error("Connection %s: %r failed on synced events", self.connection.pk, receiver,
                             exc_info=outcome)

    def _save_position_under_lock(self, calendar: Calendar) -> None:
        held = Calendar.objects.filter(pk=calendar.pk, connection__sync_lock_token=self.lock_token)
        if not held.update(**{name: getattr(calendar, name) for name in POSITION_FIELDS}):
            raise lock.LockLost(f"The sync lock of connection {self.connection.pk} was taken over.")

    @transaction.atomic
    def _write_clean_page(self, calendar: Calendar, result: Page, mode: str, *, one_by_one: bool,
                          fresh: bool = False, prepared: PreparedPage | None = None) -> None:
        skipped = result.skipped
        if one_by_one:
            count_change, refused = upsert_events_one_by_one(calendar, result.events, calendar.sync_generation)
            skipped += refused
        else:
            count_change = upsert_events(calendar, result.events, calendar.sync_generation, fresh=fresh,
                                         prepared=prepared)
        if result.removed_ids:
            removed = Event.objects.filter(calendar=calendar, provider_event_id__in=result.removed_ids)
            count_change -= removed.delete()[0]
        if result.next_page:
            calendar.sync_page, calendar.sync_mode = result.next_page, mode
        else:
            calendar.sync_page, calendar.sync_mode = "", ""
            calendar.sync_cursor = result.cursor
            calendar.synced_at = timezone.now()
            if mode == "full" and not fresh:
                # (A fresh calendar had no older rows when its sync began, so none can have vanished: no need to
                # read every row of a big calendar once more to find that out.)
                vanished = Event.objects.filter(calendar=calendar, sync_generation__lt=calendar.sync_generation)
                count_change -= vanished.delete()[0]
        if (not result.events and not count_change and not skipped
                and time.monotonic() - self.last_heartbeat < QUIET_PAGE_HEARTBEAT_SECONDS):
            # A page that changed nothing (an incremental sync's other calendars): one conditional UPDATE both
            # saves where to go on from and proves the lock is still ours, the heartbeat waits for a later page.
            self._save_position_under_lock(calendar)
            self.unreported_pages += 1
        else:
            calendar.save(update_fields=POSITION_FIELDS)
            lock.heartbeat(self.connection.pk, self.lock_token, pages=1 + self.unreported_pages,
                           events=len(result.events), count_change=count_change)
            self.last_heartbeat, self.unreported_pages = time.monotonic(), 0
        if skipped:
            # Counted with the page, in its transaction: a resumed sync neither loses nor repeats the count.
            CalendarConnection.objects.filter(pk=self.connection.pk).update(
                sync_events_skipped=F("sync_events_skipped") + skipped)
        self.pages += 1
        self.events += len(result.events)
        if self.progress:
            self.progress(self.pages, self.events)


def _success_fields(connection_id: int, *, recount: bool) -> dict:
    """What a finished sync records, written together with the lock's release. Pages keep events_count up to
    date as they are written; a full sync, which reads everything anyway, also recounts it from scratch."""
    fields = {}
    if recount:
        stored = Event.objects.filter(calendar__connection_id=connection_id).order_by().values("calendar__connection")
        fields["events_count"] = Coalesce(Subquery(stored.annotate(n=Count("pk")).values("n")[:1]), 0)
    return {
        **fields,
        "last_sync_at": datetime.now(UTC),
        "syncs_succeeded": F("syncs_succeeded") + 1,
        "last_error": "", "last_error_class": "", "last_error_at": None,
    }


# What must never reach the connection page, whatever an exception's message holds: query strings (page tokens,
# sync and delta tokens, OAuth codes), bearer and other token values, and long opaque strings (access and refresh
# tokens, JWTs, encrypted values).
_SECRETS = (
    (re.compile(r"\?[^\s'\"<>)]+"), "?…"),
    (re.compile(r"(?i)\bbearer\s+[^\s'\",;)]+"), "Bearer [redacted]"),
    (re.compile(r"(?i)\b((?:access|refresh|id|sync|page|delta|skip)_?token|code|secret|password)(\s*[=:]\s*)"
                r"[^\s'\",;)&]+"), r"\1\2[redacted]"),
    (re.compile(r"[A-Za-z0-9_\-.~+/=]{32,}"), "[redacted]"),
)
ERROR_TEXT_LENGTH = 1000


def error_text(error: BaseException) -> str:
    """An exception's message fit to show on the connection page and the admin page: never a token, never long."""
    text = str(error)
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text[:ERROR_TEXT_LENGTH] or type(error).__name__


def record_failure(connection_id: int, error: Exception, *, counted: bool, expected: bool = True) -> None:
    """Keep what went wrong on the connection, for its owner and the admins; `expected` errors are our own
    (ProviderError and the like, whose messages are written for people), others are shown with their class."""
    message = error_text(error)
    if not expected:
        message = f"Unexpected error ({type(error).__name__}: {message})"[:ERROR_TEXT_LENGTH]
    changes = {
        "last_error": message,
        "last_error_class": type(error).__name__[:100],
        "last_error_at": timezone.now(),
    }
    if counted:
        changes["syncs_failed"] = F("syncs_failed") + 1
    CalendarConnection.objects.filter(pk=connection_id).update(**changes)


def connection_sync(*, connection_id: int, full: bool = False, sleep: Callable[[float], None] = time.sleep,
                    progress: Callable[[int, int], None] | None = None) -> dict:
    """Sync one connection. Returns what happened: {"ran": bool, "again": bool, "again_full": bool}.

    Raises SyncDeferred (come back later: the state to resume from is saved), ReconnectNeeded (the connection is
    marked and its owner told), ProviderError (recorded on the connection), or whatever unexpected error stopped
    it (also recorded, without tokens, and counted as a failure).
    """
    with _bulk_write_session(), _prompt_thread_switches(), _no_cycle_collection():
        return _connection_sync(connection_id=connection_id, full=full, sleep=sleep, progress=progress)


# How long a thread that wants the GIL waits before the holder must let go (Python's default: 5 ms).
SWITCH_INTERVAL_SECONDS = 0.0005


@contextmanager
def _prompt_thread_switches():
    """Let the thread writing to the database take the GIL back promptly while the prefetch thread computes.

    Each answer from PostgreSQL (every statement, and every COPY block that had to wait for the socket) returns the
    GIL to the writing thread only once the busy prefetch thread lets go of it: up to the switch interval, 5 ms by
    default. A shorter interval costs the prefetch thread nothing while no other thread asks for the GIL. Restored
    afterwards (it is the process's setting).
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, SWITCH_INTERVAL_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@contextmanager
def _no_cycle_collection():
    """Keep Python's cycle collector out of the sync while it runs.

    A full sync makes tens of thousands of dicts and lists a page (the decoded JSON, the parsed events), and each
    few hundred of them set off a collection that walks the young objects, every so often the whole heap: measured,
    a third of the sync's own CPU time for nothing, since none of that data holds a reference cycle (it is freed by
    reference counting as each page is written). Peak memory stays flat (make bench checks it). Enabled again
    afterwards, when it was enabled before: the worker's other work is collected as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _bulk_write_session():
    """Settings for the sync's many rows (PostgreSQL only), reset afterwards; nothing else in the session changes.

    Its many small transactions commit without waiting for the disk flush. Safe here: each page's events and the
    position to resume from commit together, so a crash can lose only the last pages as a whole, and the next sync
    fetches them again.
    """
    if db.vendor != "postgresql" or db.in_atomic_block:
        yield
        return
    with db.cursor() as cursor:
        cursor.execute("SELECT set_config('synchronous_commit', 'off', false)")
    try:
        yield
    finally:
        with db.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")  # the session's own value


def _connection_sync(*, connection_id: int, full: bool, sleep: Callable[[float], None],
                     progress: Callable[[int, int], None] | None) -> dict:
    token = lock.acquire(connection_id, full=full)
    if token is None:
        return {"ran": False, "again": False, "again_full": False}
    released = None
    try:
        connection = CalendarConnection.objects.select_related("company").get(pk=connection_id)
        if connection.sync_full_requested:
            full = True
            lock.take_full_request(connection_id)
        if connection.needs_reconnect:
            raise ReconnectNeeded(connection.last_error or "This calendar needs to be reconnected.")
        run = SyncRun(connection, token, sleep=sleep, progress=progress)
        if full:
            run.refresh_calendar_list()
        calendars = list(Calendar.objects.filter(connection=connection).order_by("pk"))
        resuming = any(c.sync_page for c in calendars if c.is_selected)
        if connection.sync_events_skipped and not resuming:
            # A new sync: what the last one skipped is no longer news (a resumed one goes on counting).
            CalendarConnection.objects.filter(pk=connection_id).update(sync_events_skipped=0)
        run.sync_calendars([c for c in calendars if c.is_selected], full=full)
        for calendar in calendars:
            if not calendar.is_selected and (calendar.sync_cursor or calendar.sync_page):
                # Deselected since its last sync: it no longer counts, so forget its events.
                with transaction.atomic():
                    forgotten = Event.objects.filter(calendar=calendar).delete()[0]
                    Calendar.objects.filter(pk=calendar.pk).update(sync_cursor="", sync_page="", sync_mode="")
                    lock.heartbeat(connection_id, token, count_change=-forgotten)
        released = lock.release(connection_id, token, **_success_fields(connection_id, recount=full))
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
    except Exception as error:
        # A bug, a database failure, a provider answer nobody foresaw: the connection must say so (or Find time
        # would quietly show stale free time), it counts as a failure, and the worker logs it with its traceback.
        record_failure(connection_id, error, counted=True, expected=False)
        raise
    finally:
        if released is None:
            released = lock.release(connection_id, token)
    again, again_full = released
    return {"ran": True, "again": again, "again_full": again_full}
