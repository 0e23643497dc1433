"""Calendar sync through a real Celery worker on Redis, including a worker killed in the middle of a sync."""

import time

import pytest

from calendars.models import Calendar, CalendarConnection, Event
from calendars.tasks import queue_sync
from recruitee.tenancy.db import across_tenants
from tests.calendars.conftest import PROVIDER_SETTINGS
from tests.calendars.sync_truth import sandbox_events, stored_events
from tests.calendars.test_connect import GOOGLE_ACCOUNT, connect, connections
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PAGE_SIZE = 300


@pytest.fixture
def providers(settings, sandbox):  # noqa: F811
    for name, value in sandbox.env().items():
        if name in PROVIDER_SETTINGS:
            setattr(settings, name, value)
    return sandbox


@pytest.fixture
def worker_settings(providers):
    """The worker talks to the same sandbox, in small pages, and takes over a dead worker's lock quickly."""
    env = providers.env()
    return {
        **{name: env[name] for name in PROVIDER_SETTINGS},
        "CALENDAR_SYNC_PAGE_SIZE": PAGE_SIZE,
        "CALENDAR_SYNC_LOCK_STALE_SECONDS": 2,
        "CALENDAR_PUSH_ENABLED": False,
    }


def wait_until(predicate, *, timeout: float, worker=None, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n" + (worker.output()[-3000:] if worker else ""))


def state(connection_id: int) -> CalendarConnection:
    with across_tenants("test setup"):
        return CalendarConnection.objects.get(pk=connection_id)


def assert_mirrors(sandbox, connection):  # noqa: F811
    with across_tenants("test setup"):
        calendars = list(Calendar.objects.filter(connection=connection, is_selected=True))
        stored = stored_events([c.pk for c in calendars])
        assert Event.objects.filter(calendar__connection=connection).count() == len(stored)  # no duplicates
    truth = sandbox_events(sandbox, "google", GOOGLE_ACCOUNT, {c.provider_calendar_id for c in calendars})
    assert stored == truth


def test_it_syncs_a_new_connection_in_the_worker(providers, celery_worker, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)  # the full sync is queued after commit, for the worker
    connection = connections()[0]
    wait_until(lambda: state(connection.pk).last_sync_at, timeout=60, worker=celery_worker, what="the first sync")
    assert_mirrors(providers, connection)
    assert state(connection.pk).events_count > 1000


def test_it_finishes_a_sync_exactly_after_the_worker_is_killed_in_the_middle(providers, celery_worker, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    wait_until(lambda: state(connection.pk).last_sync_at, timeout=60, worker=celery_worker, what="the first sync")
    with across_tenants("test setup"):
        Calendar.objects.filter(connection=connection).update(is_selected=True)
    # Slow pages from the third one on, so that the kill lands while the sync is between pages.
    providers.state.inject_fault(path=r"/events$", delay=0.5, count=None)
    queue_sync(connection, full=True)
    wait_until(lambda: state(connection.pk).sync_pages_fetched >= 2 and state(connection.pk).is_syncing,
               timeout=60, worker=celery_worker, what="the sync to be under way")
    celery_worker.kill()
    killed_at = state(connection.pk)
    assert killed_at.sync_lock_token, "the dead worker's lock is still there"
    providers.state.clear_faults()
    celery_worker.restart()
    # The broker hands the unacknowledged task to the new worker, which takes over the stale lock and resumes.
    wait_until(lambda: (s := state(connection.pk)).last_sync_at > killed_at.last_sync_at and not s.sync_lock_token,
               timeout=90, worker=celery_worker, what="the redelivered sync to finish")
    assert_mirrors(providers, connection)
