"""Writing a page of synced events: one upsert, whatever the page's size.

On PostgreSQL the rows go through COPY into a session-private staging table and then one INSERT … ON CONFLICT
into the events table: the fastest way PostgreSQL offers, close to a bare COPY. Elsewhere (SQLite, for local
use) Django's bulk upsert does the same job.
"""

import json

from django.db import connection

from ..models import Calendar, Event
from .types import EventData

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


def upsert_events(calendar: Calendar, events: list[EventData], generation: int) -> int:
    """Insert or update the page's events; return how many were new (for the connection's event count)."""
    events = _latest_per_id(events)
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
