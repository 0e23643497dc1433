"""A page of events from the provider's answer to the rows the database takes: read by the provider's adapter,
normalised (normalize.py), deduplicated and, for pages big enough to COPY, written out in COPY's text format.

Computation only, without Django or the network: the sync does it in its prefetch thread, away from the thread that
writes, and for a big calendar in a worker process of its own (worker.py). store.py writes what comes out.
"""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from json.encoder import c_make_encoder, encode_basestring

from ..providers.base import EventData, Page, ProviderCalendar
from .normalize import clean_page

# In the order COPY rows are written (see copy_text): the columns that may be NULL last.
COLUMNS = [
    "company_id", "calendar_id", "sync_generation", "provider_event_id", "ical_uid", "title", "time_zone", "status",
    "organizer_email", "organizer_name", "series_id", "start", "end", "all_day", "is_busy", "attendees",
    "start_date", "end_date", "provider_updated_at",
]
# Below this many events a page is written with one plain upsert: COPY through the staging table pays off only for
# big pages (a full sync's), and an incremental sync's few changes should cost as few round trips as possible.
COPY_THRESHOLD = 200
# Reads the body of a provider's answer (as it came) into a page: an adapter's read_events_page.
PageReader = Callable[..., Page]


def latest_per_id(events: list[EventData]) -> list[EventData]:
    # A page may carry one event twice (Graph replays changes); one statement must not touch a row twice.
    return list({event.provider_event_id: event for event in events}.values())


@dataclass(frozen=True)
class PreparedPage:
    """A page's events made ready to write, away from the thread that talks to the database: one entry per event
    id, and (for pages big enough to COPY) the COPY rows, as bytes."""

    calendar_id: int
    generation: int
    events: Sequence[EventData]
    copy_rows: bytes | None


def prepare_page(*, company_id: int, calendar_id: int, generation: int, events: list[EventData],
                 copy: bool) -> PreparedPage:
    """What upsert_events would work out first, done in advance (the sync does it away from the thread that writes,
    so that the CPU work of a page overlaps the database's work on the one before). `copy`: the database takes COPY."""
    events = latest_per_id(events)
    rows = copy_text(company_id, calendar_id, events, generation) if copy and len(events) >= COPY_THRESHOLD else None
    return PreparedPage(calendar_id, generation, events, rows.encode() if rows is not None else None)


def read_page(read: PageReader, content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
              ids: dict, on_links: Callable[[str, str], None] | None = None) -> tuple[Page, PreparedPage]:
    """The provider's answer for one page as the sync writes it: the page normalised, and the same made ready to
    write (see prepare_page; `ids` are its keyword arguments but the events). `on_links` as for the reader."""
    page = clean_page(read(content, calendar=calendar, window=window, on_links=on_links))
    return page, prepare_page(events=page.events, **ids)


_NULL = "\\N"
# One JSON encoder for every attendee list, made once: json.dumps and even JSONEncoder.encode make a new one per call
# (a third of the cost of encoding a short list). The same output as json.dumps(value, ensure_ascii=False); no check
# for circular lists, which parsed JSON cannot hold.
_json_chunks = c_make_encoder(None, None, encode_basestring, None, ": ", ", ", False, False, True) \
    if c_make_encoder else None


def _to_json(value) -> str:
    return "".join(_json_chunks(value, 0)) if _json_chunks else json.dumps(value, ensure_ascii=False)


def copy_text(company_id: int, calendar_id: int, events: list[EventData], generation: int) -> str | None:
    """The page as COPY's text format, built with joins rather than a call per field (the rows of a full sync are
    a good part of its own CPU time). None if the page does not come out as exactly one line per event of exactly
    one field per column: a value normalisation let through would then go the careful way, never misplaced."""
    head = f"{company_id}\t{calendar_id}\t{generation}\t"
    lines = []
    try:
        rows = _text_rows(head, events, lines)
    except TypeError:  # a value that is not text where text belongs
        return None
    payload = "".join(rows)
    if payload.count("\n") != len(events) or payload.count("\t") != len(events) * (len(COLUMNS) - 1):
        return None
    return payload


def _text_rows(head: str, events: list[EventData], lines: list[str]) -> list[str]:
    for event in events:
        # Normalised text holds no tab, newline or carriage return (nothing unprintable): only backslashes, COPY's
        # escape character, need doubling, in the text and JSON columns alike; the rest cannot contain one.
        text = "\t".join((
            event.provider_event_id, event.ical_uid, event.title, event.time_zone, event.status,
            event.organizer_email, event.organizer_name, event.series_id,
            # isoformat(" ") is what str() returns, without str()'s lookup of the method by name (measured: half the
            # cost, three times an event).
            event.start.isoformat(" "), event.end.isoformat(" "), "t" if event.all_day else "f",
            "t" if event.is_busy else "f", _to_json(event.attendees),
        ))
        if "\\" in text:
            text = text.replace("\\", "\\\\")
        start_date, end_date, updated = event.start_date, event.end_date, event.provider_updated_at
        lines.append("\t".join((
            head + text, _NULL if start_date is None else start_date.isoformat(),
            _NULL if end_date is None else end_date.isoformat(), _NULL if updated is None else updated.isoformat(" "),
        )) + "\n")
    return lines
