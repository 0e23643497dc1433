"""Whole-calendar sync against the sandbox providers, through the real client libraries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from calendars.models import Calendar, CalendarConnection, Event
from calendars.providers.base import ReconnectNeeded
from calendars.sandbox.model import ACCEPTED, DECLINED, Attendee, Person
from calendars.signals import events_synced
from calendars.sync import lock
from calendars.sync.engine import SyncDeferred, connection_sync
from calendars.sync.store import INSERT_STAGED
from recruitee.tenancy.db import across_tenants
from tests.calendars.sync_truth import sandbox_events, stored_events
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections

pytestmark = pytest.mark.django_db

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]
EVENTS_PATH = {"google": "/events", "microsoft": "/calendarView/delta"}


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def connected(owner_client, provider: str, account: str, *, all_calendars: bool = True) -> CalendarConnection:
    connect(owner_client, provider, account)
    connection = connections()[-1]
    if all_calendars:
        with across_tenants("test setup"):
            Calendar.objects.filter(connection=connection).update(is_selected=True)
    return connection


def sync(connection: CalendarConnection, **kwargs) -> dict:
    with scope(company=connection.company_id):  # as the sync task runs
        return connection_sync(connection_id=connection.pk, sleep=kwargs.pop("sleep", Sleeps()), **kwargs)


def selected_ids(connection) -> tuple[list[int], set[str]]:
    with across_tenants("test setup"):
        rows = list(Calendar.objects.filter(connection=connection, is_selected=True))
    return [c.pk for c in rows], {c.provider_calendar_id for c in rows}


def assert_mirrors(sandbox, provider, account, connection):
    ids, provider_ids = selected_ids(connection)
    with across_tenants("test setup"):
        stored = stored_events(ids)
    truth = sandbox_events(sandbox, provider, account, provider_ids)
    assert stored.keys() == truth.keys(), (
        f"missing {sorted(truth.keys() - stored.keys())[:5]}, extra {sorted(stored.keys() - truth.keys())[:5]}"
    )
    for key, expected in truth.items():
        assert stored[key] == expected, key
    return stored


def event_requests(sandbox, provider):
    return [r for r in sandbox.state.request_log() if r["path"].endswith(EVENTS_PATH[provider])]


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_mirrors_every_field_of_several_calendars(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    assert sync(connection, full=True)["ran"]
    stored = assert_mirrors(providers, provider, account, connection)
    assert len(selected_ids(connection)[0]) >= 2
    with across_tenants("test setup"):
        rows = Event.objects.filter(calendar__connection=connection)
        # The generated calendars hold every kind of entry the sync must get right.
        assert rows.filter(all_day=True).exists() and rows.exclude(series_id="").exists()
        assert rows.filter(title="").exists() and rows.filter(is_busy=False).exists()
        assert rows.filter(title__regex=r"[^\x00-\x7f]").exists()
        fresh = CalendarConnection.objects.get(pk=connection.pk)
    assert fresh.events_count == len(stored) and fresh.last_sync_at and not fresh.last_error


def test_it_keeps_local_time_across_a_dst_change(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT)
    march = datetime(datetime.now(UTC).year + 1, 3, 23, tzinfo=UTC)
    # A weekly 09:00 Berlin meeting from the week before the change to the week after it.
    providers.state.add_event("google", GOOGLE_ACCOUNT, summary="Weekly across DST", start=march.replace(hour=8),
                              end=march.replace(hour=9), tz="Europe/Berlin",
                              recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"])
    sync(connection, full=True)
    with across_tenants("test setup"):
        starts = sorted(Event.objects.filter(title="Weekly across DST").values_list("start", flat=True))
    assert [s.astimezone(UTC).hour for s in starts] == [8, 7]  # 09:00 CET, then 09:00 CEST
    assert_mirrors(providers, "google", GOOGLE_ACCOUNT, connection)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_applies_creates_updates_deletes_and_a_moved_occurrence_incrementally(
    providers, owner_client, provider, account
):
    connection = connected(owner_client, provider, account)
    sync(connection, full=True)
    state = providers.state
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    created = state.add_event(provider, account, summary="Freshly created", start=soon, end=soon + timedelta(hours=1))
    upcoming = [i for i in state.upcoming(provider, account, limit=200) if i.master is None and i.id != created.id]
    occurrence = next(
        i for i in state.upcoming(provider, account, limit=200) if i.is_occurrence and not i.event.all_day
    )
    state.move_event(provider, account, upcoming[0].id, start=soon + timedelta(days=1))
    state.delete_event(provider, account, upcoming[1].id)
    state.move_event(provider, account, occurrence.id, start=datetime.fromtimestamp(occurrence.start, UTC)
                     + timedelta(hours=2))
    before = len(event_requests(providers, provider))

    sync(connection)

    stored = assert_mirrors(providers, provider, account, connection)
    assert stored[created.id][0] == "Freshly created"
    assert upcoming[1].id not in stored
    assert stored[occurrence.id][1] == datetime.fromtimestamp(occurrence.start, UTC) + timedelta(hours=2)
    incremental = event_requests(providers, provider)[before:]
    assert 1 <= len(incremental) <= len(selected_ids(connection)[0]) + 1  # one short page per calendar


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_replaces_the_calendar_without_emptying_it_when_the_cursor_dies(
    providers, owner_client, settings, provider, account
):
    connection = connected(owner_client, provider, account, all_calendars=False)
    sync(connection, full=True)
    with across_tenants("test setup"):
        count = Event.objects.filter(calendar__connection=connection).count()
    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = -(-count // 4)
    settings.CALENDAR_SYNC_PAGE_ATTEMPTS = 1
    providers.state.delete_event(provider, account, providers.state.upcoming(provider, account)[0].id)
    providers.state.invalidate_sync_tokens(provider, account)
    # Request 1 (incremental) gets the 410; the full sync it starts stores page 1, then fails on page 2:
    # everything stored before must still be there, as nothing is removed before a full sync ends.
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=503, nth=3)
    with pytest.raises(SyncDeferred):
        sync(connection)
    with across_tenants("test setup"):
        assert Event.objects.filter(calendar__connection=connection).count() == count
    sync(connection)
    assert_mirrors(providers, provider, account, connection)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
@pytest.mark.parametrize("status", [429, 500])
def test_it_retries_a_failing_page_and_resumes_there(providers, owner_client, settings, provider, account, status):
    connection = connected(owner_client, provider, account, all_calendars=False)
    truth = sandbox_events(providers, provider, account, selected_ids(connection)[1])
    page_size = -(-len(truth) // 5)  # five pages
    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = page_size
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=status, nth=3,
                                 retry_after=7 if status == 429 else None)
    sleeps = Sleeps()
    sync(connection, full=True, sleep=sleeps)
    statuses = [r["status"] for r in event_requests(providers, provider)]
    assert statuses[:4] == [200, 200, status, 200] and len(statuses) in (6, 7)
    assert sleeps[0] == 7 if status == 429 else 0 < sleeps[0] <= 2
    assert_mirrors(providers, provider, account, connection)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_comes_back_later_from_the_same_page_when_the_provider_keeps_failing(
    providers, owner_client, settings, provider, account
):
    connection = connected(owner_client, provider, account, all_calendars=False)
    truth = sandbox_events(providers, provider, account, selected_ids(connection)[1])
    settings.CALENDAR_SYNC_PAGE_SIZE = settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE = -(-len(truth) // 5)
    settings.CALENDAR_SYNC_PAGE_ATTEMPTS = 2
    # Pages 1 and 2 succeed, then page 3 fails every time until the provider recovers.
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=500, nth=3)
    providers.state.inject_fault(path=EVENTS_PATH[provider] + "$", status=500, nth=4)
    with pytest.raises(SyncDeferred):
        sync(connection, full=True)
    with across_tenants("test setup"):
        partial = Event.objects.filter(calendar__connection=connection).count()
        assert 0 < partial < len(truth)
        assert CalendarConnection.objects.get(pk=connection.pk).last_error
    before = len(event_requests(providers, provider))
    sync(connection)  # the retried task: resumes at page 3, does not start over
    resumed = len(event_requests(providers, provider)) - before
    assert_mirrors(providers, provider, account, connection)
    with across_tenants("test setup"):
        assert not CalendarConnection.objects.get(pk=connection.pk).last_error
        Calendar.objects.update(sync_cursor="", sync_page="", sync_mode="")
    before = len(event_requests(providers, provider))
    sync(connection, full=True)
    pages = len(event_requests(providers, provider)) - before
    assert pages >= 5 and resumed == pages - 2


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_stops_and_marks_the_connection_when_the_grant_dies_mid_sync(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    providers.state.revoke_tokens(provider, account)
    with pytest.raises(ReconnectNeeded):
        sync(connection, full=True)
    with across_tenants("test setup"):
        fresh = CalendarConnection.objects.get(pk=connection.pk)
    assert fresh.status == CalendarConnection.Status.RECONNECT_NEEDED
    assert fresh.syncs_failed == 1 and fresh.last_error_class == "ReconnectNeeded"


def test_it_refreshes_once_when_the_provider_refuses_a_token_early(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    providers.state.expire_tokens("google", GOOGLE_ACCOUNT)  # our stored expiry still says "valid"
    sync(connection, full=True)
    assert_mirrors(providers, "google", GOOGLE_ACCOUNT, connection)
    assert [r for r in providers.state.request_log() if r["path"] == "/token"]


def test_it_coalesces_a_sync_requested_while_one_runs(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    with across_tenants("test setup"):
        token = lock.acquire(connection.pk, full=False)
        assert sync(connection)["ran"] is False  # a second worker: recorded, not run
        assert sync(connection, full=True)["ran"] is False
        again, again_full = lock.release(connection.pk, token)
    assert (again, again_full) == (True, True)


def test_it_takes_over_the_lock_of_a_dead_worker(providers, owner_client, settings):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    with across_tenants("test setup"):
        lock.acquire(connection.pk, full=False)
        CalendarConnection.objects.filter(pk=connection.pk).update(
            sync_heartbeat_at=datetime.now(UTC) - timedelta(seconds=settings.CALENDAR_SYNC_LOCK_STALE_SECONDS + 1)
        )
    assert sync(connection, full=True)["ran"]
    assert_mirrors(providers, "google", GOOGLE_ACCOUNT, connection)


def test_it_writes_a_page_with_the_same_number_of_queries_whatever_its_size(providers, owner_client, settings):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)

    def queries_per_page(page_size: int, *, empty: bool) -> tuple[set[int], set[int]]:
        """(other queries, INSERT statements) per page, for the pages between the first and the last."""
        settings.CALENDAR_SYNC_PAGE_SIZE = page_size
        with across_tenants("test setup"):
            if empty:
                Event.objects.all().delete()
            Calendar.objects.update(sync_cursor="", sync_page="", sync_mode="")
        pages, current = [], [0, 0]
        with CaptureQueriesContext(db) as captured:
            sync(connection, full=True)
        for query in captured.captured_queries:
            writes = query["sql"].startswith(('INSERT INTO "calendars_event"', f"SELECT {INSERT_STAGED}("))
            current[1 if writes else 0] += 1
            # Each page ends with the write of the sync position.
            if query["sql"].startswith('UPDATE "calendars_calendar" SET "sync_cursor"'):
                pages.append(tuple(current))
                current = [0, 0]
        middle = pages[1:-1]  # neither the first page nor the last (which also prunes and records)
        return {other for other, _ in middle}, {inserts for _, inserts in middle}

    # Both sizes above store.COPY_THRESHOLD, where pages go through COPY; below it one plain upsert is used.
    for empty in (True, False):
        (small, small_inserts), (large, large_inserts) = (queries_per_page(250, empty=empty),
                                                          queries_per_page(600, empty=empty))
        assert len(small) == 1 and small == large, (empty, small, large)
        if db.vendor == "postgresql":
            # The rows are COPYed into a staging table (PostgreSQL takes no COPY into a table under row-level
            # security), then each page is one INSERT: into an empty calendar by the function that checks the
            # calendar once for the page, an upsert over stored rows. SQLite splits big inserts by its
            # bound-parameter limit.
            assert small_inserts == large_inserts == {1}, (empty, small_inserts)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_keeps_the_event_count_exact_through_incremental_syncs(providers, owner_client, provider, account):
    connection = connected(owner_client, provider, account)
    sync(connection, full=True)
    state = providers.state
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=4)
    for n in range(3):
        state.add_event(provider, account, summary=f"New {n}", start=soon + timedelta(hours=n))
    for instance in [i for i in state.upcoming(provider, account, limit=50) if i.master is None][:2]:
        state.delete_event(provider, account, instance.id)
    sync(connection)
    with across_tenants("test setup"):
        counted = CalendarConnection.objects.get(pk=connection.pk).events_count
        assert counted == Event.objects.filter(calendar__connection=connection).count()
    assert counted == len(assert_mirrors(providers, provider, account, connection))


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_frees_the_time_of_a_meeting_its_owner_declined(providers, owner_client, provider, account):
    """Someone else's meeting, declined in the owner's calendar, stays there (Google keeps it, Outlook may), but
    its time is free: a scheduling link must not hide that hour. The same meeting accepted blocks it."""
    state = providers.state
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    boss = Person("boss@outside.test", "Boss")
    ids = {}
    for n, answer in enumerate((DECLINED, ACCEPTED)):
        event = state.add_event(provider, account, summary=f"Meeting I {answer}", start=soon + timedelta(hours=n),
                                end=soon + timedelta(hours=n, minutes=30))
        with state.lock:  # as if the boss had invited the owner, who answered
            event.organizer = boss
            event.attendees = (Attendee(boss.email, boss.name, ACCEPTED), Attendee(account, "Me", answer))
        ids[answer] = event.id
    connection = connected(owner_client, provider, account)
    assert sync(connection, full=True)["ran"]
    with across_tenants("test setup"):
        busy = dict(Event.objects.filter(provider_event_id__in=ids.values()).values_list("provider_event_id",
                                                                                         "is_busy"))
    assert busy == {ids[DECLINED]: False, ids[ACCEPTED]: True}


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_keeps_an_incremental_sync_of_unchanged_calendars_to_one_write_each(providers, owner_client, provider,
                                                                                account):
    """The budget of issue 11: an incremental sync costs a few queries whatever the number of calendars; one that
    changed nothing needs no heartbeat of its own."""
    connection = connected(owner_client, provider, account)
    sync(connection, full=True)
    calendar_ids, _ = selected_ids(connection)
    assert len(calendar_ids) >= 2
    with CaptureQueriesContext(db) as captured:
        sync(connection)
    sql = [query["sql"] for query in captured.captured_queries]
    heartbeats = [q for q in sql if q.startswith('UPDATE "calendars_calendarconnection" SET "sync_heartbeat_at"')]
    positions = [q for q in sql if q.startswith('UPDATE "calendars_calendar" SET')]
    assert len(positions) == len(calendar_ids) and heartbeats == []
    # The connection is read once: its access token, still valid, serves without a second (locking) read.
    assert len([q for q in sql if q.startswith('SELECT "calendars_calendarconnection"."id"')]) == 1
    with across_tenants("test setup"):
        assert all(c.synced_at for c in Calendar.objects.filter(pk__in=calendar_ids))


def test_it_stops_at_a_quiet_page_once_another_worker_took_the_lock(providers, owner_client):
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT)
    sync(connection, full=True)
    with across_tenants("test setup"):
        before = {c.pk: c.sync_cursor for c in Calendar.objects.filter(connection=connection, is_selected=True)}

    def taken_over(pages: int, events: int) -> None:
        # A worker that presumed this one dead takes the lock right after our first page.
        CalendarConnection.objects.filter(pk=connection.pk).update(sync_lock_token="another-worker")

    providers.state.add_event("google", GOOGLE_ACCOUNT, summary="Moved on", start=datetime.now(UTC) + timedelta(days=2))
    with across_tenants("test setup"):
        outcome = connection_sync(connection_id=connection.pk, sleep=Sleeps(), progress=taken_over)
        after = {c.pk: c.sync_cursor for c in Calendar.objects.filter(connection=connection, is_selected=True)}
    assert outcome == {"ran": True, "again": False, "again_full": False}
    # Only the first calendar's page was written; the others kept their position for the new lock holder.
    assert sum(1 for pk in before if after[pk] != before[pk]) <= 1
    assert [after[pk] for pk in sorted(before)][1:] == [before[pk] for pk in sorted(before)][1:]


def test_it_announces_a_full_sync_once_at_its_end_and_each_incremental_page(providers, owner_client, settings):
    """Listeners (the interviews' answers) look at everything after a full sync: announcing its pages one by one
    made them read their rows again for every page (half of a big first sync's database thread)."""
    settings.CALENDAR_SYNC_PAGE_SIZE = 20  # several pages per calendar
    connection = connected(owner_client, "google", GOOGLE_ACCOUNT, all_calendars=False)
    heard = []

    def listener(sender, *, provider_event_ids, complete, **kwargs):
        heard.append((complete, len(provider_event_ids)))

    events_synced.connect(listener, dispatch_uid="test-listener")
    try:
        sync(connection, full=True)
        assert [complete for complete, _ in heard] == [True]
        heard.clear()
        soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
        providers.state.add_event("google", GOOGLE_ACCOUNT, summary="Added later", start=soon,
                                  end=soon + timedelta(hours=1))
        sync(connection)
        assert heard == [(False, 1)]
    finally:
        events_synced.disconnect(dispatch_uid="test-listener")
