"""Writing a page of synced events: one upsert, whatever the page's size.

On PostgreSQL the rows go through COPY into a session-private staging table and then one INSERT … ON CONFLICT
into the events table: the fastest way PostgreSQL offers, close to a bare COPY. Elsewhere (SQLite, for local
use) Django's bulk upsert does the same job. Events arrive normalised (see normalize.py); should the database
refuse a row all the same, the page is written again one event at a time and only the refused ones are left out.
"""

import json
import logging

from django.db import DataError, IntegrityError, connection, transaction

from ..models import Calendar, Event
from ..providers.base import EventData
from .rows import COLUMNS, COPY_THRESHOLD, PreparedPage, copy_text, latest_per_id

logger = logging.getLogger(__name__)

# What comes from the provider's event (the rest says where it belongs and which sync saw it last).
EVENT_FIELDS = [name for name in COLUMNS if name not in ("company_id", "calendar_id", "sync_generation")]
# What an update may change: everything but the row's identity.
UPDATED = [name for name in COLUMNS if name not in ("company_id", "calendar_id", "provider_event_id")]
STAGE = "calendars_event_stage"
# Moves the staging table's rows into the events table (calendars migration 0011).
INSERT_STAGED = "calendars_insert_staged_events"


def _quoted(names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


class RowsRefused(Exception):
    """The database refused a row of the page (a value normalisation did not foresee)."""


def upsert_events(calendar: Calendar, events: list[EventData], generation: int, *, fresh: bool = False,
                  prepared: PreparedPage | None = None) -> int:
    """Insert or update the page's events; return how many were new (for the connection's event count).

    `fresh` says that the calendar holds no rows but those this sync wrote (a first sync, or a full one that began
    on an empty calendar): the page is then COPYed straight into the events table, the cheapest write there is,
    and only should it meet one of the rows already written (a provider repeating an event) is it upserted.
    `prepared` is the same page from prepare_page, used when it was prepared for this calendar and generation.
    Raises RowsRefused when the database refuses any row; the transaction is then unusable and must be rolled back.
    """
    if prepared is None or (prepared.calendar_id, prepared.generation) != (calendar.pk, generation):
        prepared = PreparedPage(calendar.pk, generation, latest_per_id(events), None)
    # Only errors about the values: a lost connection or a deadlock must fail the page (to be fetched again),
    # never make its events look unstorable. COPY talks to the driver directly, so its errors arrive unwrapped.
    refusals = (DataError, IntegrityError, connection.Database.DataError, connection.Database.IntegrityError,
                UnicodeError)
    try:
        return _upsert(calendar, prepared, fresh=fresh)
    except refusals as error:
        # Only the first line: PostgreSQL's DETAIL repeats the whole row, which is no business of the logs.
        first_line = (str(error).splitlines() or [""])[0]
        raise RowsRefused(f"{type(error).__name__}: {first_line[:300]}") from error


def upsert_events_one_by_one(calendar: Calendar, events: list[EventData], generation: int) -> tuple[int, int]:
    """The slow way, for a page the database refused: each event in its own savepoint, so a refused one is left
    out alone. Returns (how many were new, how many were refused)."""
    inserted = refused = 0
    for event in latest_per_id(events):
        try:
            with transaction.atomic():
                inserted += upsert_events(calendar, [event], generation)
        except RowsRefused as error:
            refused += 1
            logger.warning("Skipped synced event %r of calendar %s: the database refused it (%s)",
                           event.provider_event_id[:64], calendar.pk, error)
    return inserted, refused


def _upsert(calendar: Calendar, page: PreparedPage, *, fresh: bool) -> int:
    events, generation = page.events, page.generation
    if not events:
        return 0
    if connection.vendor == "postgresql" and len(events) >= COPY_THRESHOLD:
        if fresh:
            try:
                with transaction.atomic():  # a savepoint: a conflict undoes only this attempt
                    return _copy_insert(calendar, page)
            except IntegrityError as error:
                if not isinstance(error.__cause__, connection.Database.errors.UniqueViolation):
                    raise
                logger.info("Calendar %s: a page repeated events already stored; upserting it", calendar.pk)
        return _copy_upsert(calendar, page)
    ids = [event.provider_event_id for event in events]
    known = Event.objects.filter(calendar=calendar, provider_event_id__in=ids).count()
    Event.objects.bulk_create(
        [
            Event(company_id=calendar.company_id, calendar_id=calendar.pk, sync_generation=generation,
                  **{name: getattr(event, name) for name in EVENT_FIELDS})
            for event in events
        ],
        update_conflicts=True,
        unique_fields=["calendar", "provider_event_id"],
        update_fields=UPDATED,
    )
    return len(events) - known


def _copy_rows(cursor, table: str, calendar: Calendar, page: PreparedPage) -> None:
    rows = page.copy_rows
    if rows is None and (text := copy_text(calendar.company_id, calendar.pk, page.events, page.generation)):
        rows = text.encode()
    with cursor.cursor.copy(f"COPY {table} ({_quoted(COLUMNS)}) FROM STDIN") as copy:
        if rows is not None:
            copy.write(rows)
            return
        for event in page.events:  # value by value, each escaped by the driver
            copy.write_row((
                calendar.company_id, calendar.pk, page.generation, event.provider_event_id, event.ical_uid,
                event.title, event.time_zone, event.status, event.organizer_email, event.organizer_name,
                event.series_id, event.start, event.end, event.all_day, event.is_busy, json.dumps(event.attendees),
                event.start_date, event.end_date, event.provider_updated_at,
            ))


def _stage(cursor, calendar: Calendar, page: PreparedPage) -> None:
    """The page's rows in the session's staging table. COPY cannot write into the events table itself: row-level
    security (recruitee/tenancy/rls.py) holds for the application's role, and PostgreSQL takes no COPY FROM into a
    table under it. The staging table has none: it is this session's own."""
    # Every time, not once per session: a rolled-back transaction takes a table created in it along. Open to every
    # role, since the session may work as another one later (recruitee/tenancy/db.py); no other session can see it.
    cursor.execute(
        f"DO $$ BEGIN IF to_regclass('pg_temp.{STAGE}') IS NULL THEN "  # noqa: S608 (no user input)
        f"CREATE TEMP TABLE {STAGE} ON COMMIT DELETE ROWS AS "
        f"SELECT {_quoted(COLUMNS)} FROM {Event._meta.db_table} WITH NO DATA; "
        f"GRANT ALL ON {STAGE} TO PUBLIC; END IF; END $$"
    )
    _copy_rows(cursor, STAGE, calendar, page)


def _unstage(cursor) -> None:
    if connection.savepoint_ids:
        # Inside an outer transaction the commit that empties the staging table is not ours: empty it now, or the
        # next page would write these rows again. TRUNCATE: a full page's DELETE cost ~4 ms, this a tenth of it.
        cursor.execute(f"TRUNCATE {STAGE}")


def _copy_insert(calendar: Calendar, page: PreparedPage) -> int:
    """Into a calendar that holds only this sync's rows: through the database function that checks the calendar
    once for the page rather than once per row (calendars migration 0011)."""
    with connection.cursor() as cursor:
        _stage(cursor, calendar, page)
        cursor.execute(f"SELECT {INSERT_STAGED}(%s, %s)", [calendar.company_id, calendar.pk])
        (written,) = cursor.fetchone()
        _unstage(cursor)
    return written


def _copy_upsert(calendar: Calendar, page: PreparedPage) -> int:
    columns = _quoted(COLUMNS)
    with connection.cursor() as cursor:
        _stage(cursor, calendar, page)
        updates = ", ".join(f"{connection.ops.quote_name(name)} = EXCLUDED.{connection.ops.quote_name(name)}"
                            for name in UPDATED)
        cursor.execute(
            f'INSERT INTO "{Event._meta.db_table}" ({columns}) SELECT {columns} FROM {STAGE} '  # noqa: S608
            f'ON CONFLICT ("calendar_id", "provider_event_id") DO UPDATE SET {updates} '
            # xmax is 0 exactly for rows this statement inserted (an updated row carries the updating xid).
            "RETURNING (xmax = 0)"
        )
        inserted = sum(1 for (new,) in cursor.fetchall() if new)
        _unstage(cursor)
    return inserted
