"""The sync's worker process: reads pages of a big calendar's full sync, beside the process that syncs it.

A full sync of a big calendar spends most of its own time on CPU work between the HTTP answer and the database:
decoding the JSON, reading the events, normalising them and writing the COPY rows (about 30 µs an event). In the
syncing process that work holds the GIL, which the thread writing to the database needs back for every block it
sends, so one waits for the other. Here it runs in a process of its own, on another core: the syncing process
fetches a page (HTTP only) and sends the body as it came; this process answers first with where the next page is
(so that the next fetch overlaps the reading of this one), then with the page's event ids, counts and COPY rows.

Started by offload.PageWorker as `python -m calendars.sync.worker SETUP`, SETUP being JSON with the events' column
sizes and the known zone names (what normalisation reads from Django and recruitee.zones in the syncing process). It
runs the very functions the sync runs in process (rows.read_page: the adapter's read_events_page,
normalize.clean_page, rows.prepare_page), without Django: it needs no database, no settings and no network, and is
up in under 0.1 s. It stops when its input ends (the syncing process closed it, or died).

Frames, both ways: three big-endian 32-bit numbers (the lengths of the JSON head and of the payload, and the
payload's CRC-32), then the head and the payload. In: the job
(provider, calendar, window, ids) with the page's body as payload. Out: {"ready": true} once, after start-up; then
per job either {"links": [next_page, cursor]} followed by {"page": {...}} with the COPY rows as payload, or
{"error": "..."} (after the links, or instead of them) when the page could not be read: the syncing process then
reads that page itself, where the same error arises as it would have without the worker.
"""

import gc
import importlib.util
import json
import logging
import struct
import sys
import zlib
from typing import BinaryIO

# A frame's start: the lengths of its head and payload, and the payload's CRC-32.
_START = struct.Struct("!III")
# The providers whose pages it reads (see serve).
PROVIDERS = frozenset({"google", "microsoft"})


def frame_start(head: dict, payload: bytes) -> bytes:
    """A frame but its payload, which follows it."""
    encoded = json.dumps(head, separators=(",", ":")).encode()
    return _START.pack(len(encoded), len(payload), zlib.crc32(payload)) + encoded


def write_frame(stream: BinaryIO, head: dict, payload: bytes = b"") -> None:
    stream.write(frame_start(head, payload))
    if payload:
        stream.write(payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> tuple[dict, bytes] | None:
    """The next frame, or None at the end of the stream (a frame cut short is an end too). ValueError for a frame
    that did not arrive as it was sent: the stream is then of no further use. (The checksum costs a millisecond a
    page; a page's COPY rows that went astray would be stored as they came.)"""
    start = stream.read(_START.size)
    if len(start) < _START.size:
        return None
    head_size, payload_size, checksum = _START.unpack(start)
    head = stream.read(head_size)
    payload = stream.read(payload_size) if payload_size else b""
    if len(head) < head_size or len(payload) < payload_size:
        return None
    if zlib.crc32(payload) != checksum:
        raise ValueError("A frame's payload does not match its checksum.")
    return json.loads(head), payload


def _bare_package(name: str) -> None:
    """Make the package `name` importable without running its __init__, for its submodules alone.

    calendars.providers' __init__ imports every adapter, and with them the HTTP, OAuth and identity client libraries
    (a third of a second of start-up). This process needs only the adapters' page readers (google_pages,
    microsoft_pages).
    """
    spec = importlib.util.find_spec(name)
    sys.modules[name] = importlib.util.module_from_spec(spec)


class _Collected(logging.Handler):
    """Keeps this process's log records for the page being read: they travel to the syncing process with it, which
    logs them as its own (skipped events)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[list] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelno, record.getMessage()])


def serve(setup: dict, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """`setup`: what normalisation reads from Django and recruitee.zones in the syncing process (see normalize)."""
    _bare_package("calendars.providers")
    from datetime import datetime

    from ..providers import google_pages, microsoft_pages
    from ..providers.base import ProviderCalendar
    from .normalize import use_event_sizes, use_known_zones
    from .rows import read_page

    readers = {"google": google_pages.read_events_page, "microsoft": microsoft_pages.read_events_page}
    use_event_sizes(setup["sizes"])
    use_known_zones(setup["zones"])
    # No cycle collection, as in the syncing process (see engine._no_cycle_collection): a page's objects hold no
    # reference cycles and go as soon as it is answered, and collecting would cost a third of the time.
    gc.disable()
    collected = _Collected()
    logging.getLogger().addHandler(collected)
    logging.getLogger().setLevel(logging.INFO)
    write_frame(stdout, {"ready": True})
    while (frame := read_frame(stdin)) is not None:
        job, content = frame
        collected.records.clear()

        def links(next_page: str, cursor: str) -> None:
            write_frame(stdout, {"links": [next_page, cursor]})

        try:
            page, prepared = read_page(
                readers[job["provider"]], content,
                calendar=ProviderCalendar(calendar_id=job["calendar"], name="", time_zone=job["time_zone"]),
                window=(datetime.fromisoformat(job["window"][0]), datetime.fromisoformat(job["window"][1])),
                ids=job["ids"], on_links=links)
        except Exception as error:  # noqa: BLE001 — the syncing process reads the page again itself, and fails there
            # Its class only: messages may quote what the calendar holds, which is no business of the logs.
            write_frame(stdout, {"error": type(error).__name__})
            continue
        write_frame(stdout, {"page": {
            "events": len(page.events), "unique": len(prepared.events),
            "ids": [event.provider_event_id for event in prepared.events], "removed_ids": page.removed_ids,
            "skipped": page.skipped, "rows": prepared.copy_rows is not None, "logs": collected.records,
        }}, prepared.copy_rows or b"")


def main() -> int:
    setup = json.loads(sys.argv[1])
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # whatever prints must not get between the frames
    try:
        serve(setup, sys.stdin.buffer, answers)
    except (BrokenPipeError, KeyboardInterrupt):  # the syncing process went away, or was stopped
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
