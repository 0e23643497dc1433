"""A big calendar's full sync reads its pages in a worker process (calendars/sync/worker.py): it stores exactly
what the sync stores without it, and whatever goes wrong with the worker, the sync still stores every event."""

import io
import json
import logging
import os
import re
import signal
from pathlib import Path

import pytest
from django.db import connection as db

from calendars.models import Calendar, CalendarConnection, Event
from calendars.sync.worker import frame_start, read_frame
from recruitee.tenancy.db import across_tenants
from tests.calendars.sync_truth import sandbox_events
from tests.calendars.test_sync import EVENTS_PATH, assert_mirrors, connected, selected_ids, sync
from tests.calendars.test_sync_memory import cycles_left_by_a_full_sync
from tests.conftest import table_owner

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(db.vendor != "postgresql", reason="the worker makes COPY rows, which are PostgreSQL's"),
]

BIG = {"google": "big@sandbox-google.test", "microsoft": "big@sandbox-outlook.test"}
PROVIDERS = list(BIG)
# Pages big enough to COPY (the worker answers smaller ones with nothing: they are read in process).
PAGE_SIZE = 250
WORKED = re.compile(r"(\d+) pages read by the worker processes")


@pytest.fixture
def big(providers, owner_client, settings, request):
    """A connection to a calendar of about 2,000 events, synced in pages of 250, with the worker wanted at once
    and the second page slow enough for it to be up by then."""
    provider = request.param
    providers.state.create_account(provider, BIG[provider], events=2000, tz="Europe/Berlin")
    connection = connected(owner_client, provider, BIG[provider], all_calendars=False)
    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = PAGE_SIZE
    settings.CALENDAR_SYNC_WORKER_AFTER_EVENTS = 0
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", delay=2.0, nth=2)
    return provider, connection


def stored_rows(connection) -> dict[str, dict]:
    fields = [f.name for f in Event._meta.fields if f.name not in ("id", "sync_generation")]
    with across_tenants("test setup"):
        return {row["provider_event_id"]: row
                for row in Event.objects.filter(calendar__connection=connection).values(*fields)}


def start_over(connection) -> None:
    """As before the first sync: no events, no cursor (so the next full sync writes into an empty calendar)."""
    with across_tenants("test setup"):
        Event.objects.filter(calendar__connection=connection).delete()
        Calendar.objects.filter(connection=connection).update(sync_cursor="", sync_page="", sync_mode="")


def worked_pages(caplog) -> int:
    return sum(int(match[1]) for record in caplog.records if (match := WORKED.search(record.getMessage())))


def worker_processes() -> list[int]:
    """This process's children that run the sync's worker, zombies included (a zombie's command line is empty: any
    child left is one too many, and this process starts no others while the tests here run)."""
    found = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that ended meanwhile
            continue
        for pid in children:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:  # reaped meanwhile
                continue
            if not command or b"calendars.sync.worker" in command:
                found.append(int(pid))
    return found


@pytest.mark.parametrize("big", PROVIDERS, indirect=True)
def test_it_stores_what_the_sync_stores_in_process_and_leaves_no_process_behind(big, providers, settings, caplog):
    provider, connection = big
    caplog.set_level(logging.INFO, logger="calendars.sync.engine")
    sync(connection, full=True)
    assert worked_pages(caplog) >= 4
    assert not worker_processes()
    worked = stored_rows(connection)
    assert len(worked) > 1500
    assert_mirrors(providers, provider, BIG[provider], connection)

    start_over(connection)
    settings.CALENDAR_SYNC_WORKER_AFTER_EVENTS = None
    caplog.clear()
    sync(connection, full=True)
    assert worked_pages(caplog) == 0
    assert stored_rows(connection) == worked
    with across_tenants("test setup"):
        assert CalendarConnection.objects.get(pk=connection.pk).events_count == len(worked)


@pytest.mark.parametrize("big", PROVIDERS, indirect=True)
def test_pages_read_by_the_worker_leave_no_reference_cycles_behind(big, providers, settings, caplog):
    provider, connection = big
    sync(connection, full=True)  # the clients made once per thread, and the first rows
    caplog.set_level(logging.INFO, logger="calendars.sync.engine")
    left = {}
    for page_size in (1000, 250):
        settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = page_size
        providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", delay=2.0, nth=2)
        caplog.clear()
        left[page_size] = (cycles_left_by_a_full_sync(connection), worked_pages(caplog))
    (few, few_pages), (many, more_pages) = left[1000], left[250]
    assert more_pages >= few_pages + 4
    # What a sync makes once (its worker, with its thread) may stay until the next collection; nothing per page.
    assert many - few < 10 * (more_pages - few_pages), left


@pytest.mark.parametrize("big", PROVIDERS, indirect=True)
def test_a_worker_that_dies_mid_sync_costs_nothing_but_time(big, providers, caplog):
    provider, connection = big
    killed = []

    def kill_the_worker(pages: int, events: int) -> None:
        if pages == 3:
            for pid in worker_processes():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    caplog.set_level(logging.INFO, logger="calendars.sync")
    sync(connection, full=True, progress=kill_the_worker)
    assert killed
    assert any("worker process failed" in record.getMessage() for record in caplog.records)
    assert_mirrors(providers, provider, BIG[provider], connection)
    assert not worker_processes()


@pytest.mark.parametrize("big", PROVIDERS, indirect=True)
def test_a_page_the_worker_cannot_read_fails_the_sync_as_it_would_without_the_worker(big, providers, settings,
                                                                                      caplog):
    provider, connection = big
    outcomes = []
    for after_events in (0, None):  # with the worker, then without
        start_over(connection)
        settings.CALENDAR_SYNC_WORKER_AFTER_EVENTS = after_events
        providers.state.clear_faults()
        providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", delay=2.0, nth=2)
        providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=200, body="<html>Not JSON</html>", nth=5)
        caplog.clear()
        caplog.set_level(logging.INFO, logger="calendars.sync.engine")
        with pytest.raises(json.JSONDecodeError):
            sync(connection, full=True)
        with across_tenants("test setup"):
            failed = CalendarConnection.objects.get(pk=connection.pk)
        outcomes.append((failed.last_error_class, sorted(stored_rows(connection))))
        assert (worked_pages(caplog) >= 2) == (after_events is not None)
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "JSONDecodeError" and outcomes[0][1]  # the pages before it are stored
    assert not worker_processes()


@pytest.mark.parametrize("big", PROVIDERS, indirect=True)
@pytest.mark.django_db(transaction=True)
def test_a_page_the_database_refuses_is_written_event_by_event(big, providers, caplog):
    provider, connection = big
    truth = sandbox_events(providers, provider, BIG[provider], selected_ids(connection)[1])
    refused = sorted(truth)[::700]
    # A rule normalisation knows nothing of, which the database enforces: these events cannot be stored. Added by
    # the tables' owner (the application may not change the schema), outside a transaction, so taken away after.
    # DDL takes no bound parameters (the connection binds them on the server): the list goes in as a literal.
    with table_owner(), db.cursor() as cursor:
        cursor.execute(db.ops.compose_sql("ALTER TABLE calendars_event ADD CONSTRAINT test_refused "
                                          "CHECK (provider_event_id <> ALL(%s)) NOT VALID", [refused]))
    caplog.set_level(logging.INFO, logger="calendars.sync.engine")
    try:
        sync(connection, full=True)
    finally:
        with table_owner(), db.cursor() as cursor:
            cursor.execute("ALTER TABLE calendars_event DROP CONSTRAINT test_refused")
    assert worked_pages(caplog) >= 4
    assert stored_rows(connection).keys() == truth.keys() - set(refused)
    with across_tenants("test setup"):
        assert CalendarConnection.objects.get(pk=connection.pk).sync_events_skipped == len(refused)


def test_an_answer_garbled_on_its_way_is_refused_not_stored():
    payload = b"1\t2\tRows for COPY\n" * 1000
    sent = frame_start({"page": {"events": 1000}}, payload) + payload
    assert read_frame(io.BytesIO(sent)) == ({"page": {"events": 1000}}, payload)
    garbled = bytearray(sent)
    garbled[-5000] ^= 0x20
    with pytest.raises(ValueError):
        read_frame(io.BytesIO(bytes(garbled)))
    assert read_frame(io.BytesIO(sent[:-1])) is None  # cut short: the stream ended
