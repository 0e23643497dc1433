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
from .types import EventData

logger = logging.getLogger(__name__)

COLUMNS = [
    "company_id", "calendar_id", "provider_event_id", "ical_uid", "title", "start", "end", "time_zone", "all_day",
    "start_date", "end_date", "status", "is_busy", "organizer_email", "organizer_name", "attendees", "series_id",
    "provider_updated_at", "sync_generation",
]
# What an update may change: everything but the row's identity.
UPDATED = [name for name in COLUMNS if name not in ("company_id", "calendar_id", "provider_event_id")]
STAGE = "calendars_event_stage"
# Below this many events a page is written with one plain upsert: COPY through the staging table pays off only for
# big pages (a full sync's), and an incremental sync's few changes should cost as few round trips as possible.
COPY_THRESHOLD = 200


def _quoted(names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


def _latest_per_id(events: list[EventData]) -> list[EventData]:
    # A page may carry one event twice (Graph replays changes); one statement must not touch a row twice.
    return list({event.provider_event_id: event for event in events}.values())


class RowsRefused(Exception):
    """The database refused a row of the page (a value normalisation did not foresee)."""


def upsert_events(calendar: Calendar, events: list[EventData], generation: int) -> int:
    """Insert or update the page's events; return how many were new (for the connection's event count).

    Raises RowsRefused when the database refuses any row; the transaction is then unusable and must be rolled back.
    """
    # Only errors about the values: a lost connection or a deadlock must fail the page (to be fetched again),
    # never make its events look unstorable. COPY talks to the driver directly, so its errors arrive unwrapped.
    refusals = (DataError, IntegrityError, connection.Database.DataError, connection.Database.IntegrityError,
                UnicodeError)
    try:
        return _upsert(calendar, _latest_per_id(events), generation)
    except refusals as error:
        # Only the first line: PostgreSQL's DETAIL repeats the whole row, which is no business of the logs.
        first_line = (str(error).splitlines() or [""])[0]
        raise RowsRefused(f"{type(error).__name__}: {first_line[:300]}") from error


def upsert_events_one_by_one(calendar: Calendar, events: list[EventData], generation: int) -> tuple[int, int]:
    """The slow way, for a page the database refused: each event in its own savepoint, so a refused one is left
    out alone. Returns (how many were new, how many were refused)."""
    inserted = refused = 0
    for event in _latest_per_id(events):
        try:
            with transaction.atomic():
                inserted += upsert_events(calendar, [event], generation)
        except RowsRefused as error:
            refused += 1
            logger.warning("Skipped synced event %r of calendar %s: the database refused it (%s)",
                           event.provider_event_id[:64], calendar.pk, error)
    return inserted, refused


def _upsert(calendar: Calendar, events: list[EventData], generation: int) -> int:
    if not events:
        return 0
    if connection.vendor == "postgresql" and len(events) >= COPY_THRESHOLD:
        return _copy_upsert(calendar, events, generation)
    ids = [event.provider_event_id for event in events]
    known = Event.objects.filter(calendar=calendar, provider_event_id__in=ids).count()
    Event.objects.bulk_create(
        [
            Event(company_id=calendar.company_id, calendar_id=calendar.pk, sync_generation=generation,
                  **{name: getattr(event, name) for name in COLUMNS[2:-1]})
            for event in events
        ],
        update_conflicts=True,
        unique_fields=["calendar", "provider_event_id"],
        update_fields=UPDATED,
    )
    return len(events) - known


def _copy_upsert(calendar: Calendar, events: list[EventData], generation: int) -> int:
    columns = _quoted(COLUMNS)
    with connection.cursor() as cursor:
        # Every time, not once per session: a rolled-back transaction takes a table created in it along.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ON COMMIT DELETE ROWS AS "  # noqa: S608 (no user input)
            f"SELECT {columns} FROM {Event._meta.db_table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {STAGE} ({columns}) FROM STDIN") as copy:
            for event in events:
                copy.write_row((
                    calendar.company_id, calendar.pk, event.provider_event_id, event.ical_uid, event.title,
                    event.start, event.end, event.time_zone, event.all_day, event.start_date, event.end_date,
                    event.status, event.is_busy, event.organizer_email, event.organizer_name,
                    json.dumps(event.attendees), event.series_id, event.provider_updated_at, generation,
                ))
        updates = ", ".join(f"{connection.ops.quote_name(name)} = EXCLUDED.{connection.ops.quote_name(name)}"
                            for name in UPDATED)
        cursor.execute(
            f'INSERT INTO "{Event._meta.db_table}" ({columns}) SELECT {columns} FROM {STAGE} '  # noqa: S608
            f'ON CONFLICT ("calendar_id", "provider_event_id") DO UPDATE SET {updates} '
            # xmax is 0 exactly for rows this statement inserted (an updated row carries the updating xid).
            "RETURNING (xmax = 0)"
        )
        inserted = sum(1 for (new,) in cursor.fetchall() if new)
        if connection.savepoint_ids:
            # Inside an outer transaction the commit that empties the staging table is not ours: empty it now,
            # or the next page would upsert these rows again.
            cursor.execute(f"DELETE FROM {STAGE}")  # noqa: S608
    return inserted
