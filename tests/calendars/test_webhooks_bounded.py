"""The webhooks are public: whatever anyone sends, one request does a small, bounded amount of work, and a burst of
genuine notifications leaves at most one sync waiting per connection."""

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from celery.signals import task_prerun
from django.db import connection as db
from django.db import connections as dbs
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from calendars.models import Calendar, CalendarConnection, PushChannel
from calendars.tasks import calendar_sync_all_task, calendar_sync_task
from recruitee.tenancy.db import across_tenants
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections

FLOOD = 50_000
BURST = 1_000
PROVIDERS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


def graph_body(items: list[dict]) -> bytes:
    return json.dumps({"value": items}, separators=(",", ":")).encode()


def forged_items(company_id: int, count: int) -> list[dict]:
    return [{"subscriptionId": f"s{i}", "clientState": f"{company_id}.a"} for i in range(count)]


def our_log_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("calendars")]


def channel_for(connection: CalendarConnection, *, channel_id: str = "", provider: str = "") -> PushChannel:
    """A channel as push_channels_reconcile stores it (the provider's side plays no part in receiving)."""
    company_id = connection.company_id
    with across_tenants("test setup"):
        if (provider or connection.provider) == "google":
            return PushChannel.objects.create(
                company_id=company_id, connection=connection, calendar=connection.calendars.first(),
                provider="google", channel_id=channel_id or f"{company_id}-chan-{connection.pk}",
                secret="channel-token", expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        return PushChannel.objects.create(
            company_id=company_id, connection=connection, provider="microsoft",
            channel_id=channel_id or f"sub-{connection.pk}", secret=f"{company_id}.client-state",
            expires_at=datetime.now(UTC) + timedelta(days=1),
        )


def notify(client: Client, channel: PushChannel, *, state: str = "exists") -> int:
    """One genuine notification, as the provider sends it."""
    if channel.provider == "google":
        return client.post("/hooks/google/", headers={
            "X-Goog-Channel-ID": channel.channel_id, "X-Goog-Channel-Token": channel.secret,
            "X-Goog-Resource-State": state, "X-Goog-Message-Number": "2",
        }).status_code
    item = {"subscriptionId": channel.channel_id, "clientState": channel.secret, "changeType": "updated",
            "resource": "Users/x/Events/y", "tenantId": "t"}
    return client.post("/hooks/microsoft/", graph_body([item]), content_type="application/json").status_code


def fresh(connection: CalendarConnection) -> CalendarConnection:
    with across_tenants("test setup"):
        return CalendarConnection.objects.get(pk=connection.pk)


class SyncTasksStarted:
    """Counts calendar_sync_task runs through Celery's own signal (eager tasks send it too)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, sender=None, **kwargs) -> None:
        if getattr(sender, "name", None) == calendar_sync_task.name:
            with self._lock:
                self.count += 1

    def __enter__(self):
        task_prerun.connect(self, weak=False)
        return self

    def __exit__(self, *exc) -> None:
        task_prerun.disconnect(self)


# --- floods: refused at once -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_flood_of_graph_items_at_once_with_one_log_line(acme, settings, caplog):
    body = graph_body(forged_items(acme.pk, FLOOD))
    # What the issue saw: about 2.3 MB, under Django's own request size limit, so only our cap stands in the way.
    assert 2_000_000 < len(body) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.INFO), CaptureQueriesContext(db) as queries:
        started = time.monotonic()
        response = client.post("/hooks/microsoft/", body, content_type="application/json")
        elapsed = time.monotonic() - started
    assert response.status_code == 413
    assert len(queries) == 0
    assert elapsed < 1.0
    assert len(our_log_lines(caplog)) == 1
    assert len(caplog.records) <= 2  # ours, and Django's one line for the 4xx answer


@pytest.mark.django_db
def test_it_refuses_more_items_than_graph_sends_even_in_a_small_body(acme, settings, caplog):
    settings.CALENDAR_WEBHOOK_MAX_BYTES = 1024 * 1024
    body = graph_body(forged_items(acme.pk, settings.CALENDAR_WEBHOOK_MAX_ITEMS + 1))
    assert len(body) < settings.CALENDAR_WEBHOOK_MAX_BYTES
    with caplog.at_level(logging.INFO), CaptureQueriesContext(db) as queries:
        response = Client().post("/hooks/microsoft/", body, content_type="application/json")
    assert response.status_code == 413
    assert len(queries) == 0
    assert len(our_log_lines(caplog)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("hook", ["google", "microsoft"])
def test_it_refuses_a_body_declared_larger_than_the_cap_without_reading_it(acme, settings, hook):
    # The test client's payload raises if more is read than it holds: a 413 here proves nothing was read.
    response = Client().post(f"/hooks/{hook}/", b"{}", content_type="application/json",
                             CONTENT_LENGTH=str(settings.CALENDAR_WEBHOOK_MAX_BYTES + 1))
    assert response.status_code == 413


@pytest.mark.django_db
def test_it_checks_a_whole_batch_with_one_query_and_stops_at_the_first_forged_item(owner, acme, settings, caplog):
    from tests.calendars.factories import connected_calendar

    connection = connected_calendar(owner).connection
    channel = channel_for(connection, channel_id="sub-real", provider="microsoft")
    genuine = {"subscriptionId": "sub-real", "clientState": channel.secret}

    def refused(items: list[dict]) -> tuple[int, int]:
        caplog.clear()
        with caplog.at_level(logging.INFO), CaptureQueriesContext(db) as queries:
            status = Client().post("/hooks/microsoft/", graph_body(items), content_type="application/json").status_code
        assert status == 403
        assert len(our_log_lines(caplog)) == 1
        return len(queries), len(our_log_lines(caplog))

    one = refused(forged_items(acme.pk, 1))
    many = refused(forged_items(acme.pk, settings.CALENDAR_WEBHOOK_MAX_ITEMS))
    assert one == many == (1, 1)
    # Items of other (or no) companies, and a genuine item before the forged one: still one query, nothing noted.
    mixed = [genuine, {"subscriptionId": "sub-real", "clientState": f"{acme.pk}.forged"},
             {"subscriptionId": "x", "clientState": "999.a"}, {"subscriptionId": "x", "clientState": "no-company"}]
    assert refused(mixed) == (1, 1)
    assert "item 2 of 4" in our_log_lines(caplog)[0]
    with across_tenants("test setup"):
        assert PushChannel.objects.get(pk=channel.pk).notifications == 0


# --- bursts: one pending sync per connection ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("provider", "account"), PROVIDERS)
def test_it_queues_one_sync_for_a_burst_until_that_sync_starts(
    providers, owner_client, provider, account, django_capture_on_commit_callbacks
):
    connect(owner_client, provider, account, capture=django_capture_on_commit_callbacks)
    connection = connections()[0]
    channel = channel_for(connection)
    synced = fresh(connection).syncs_succeeded
    client = Client()
    with django_capture_on_commit_callbacks() as queued:
        statuses = {notify(client, channel) for _ in range(BURST)}
    assert statuses == {200 if provider == "google" else 202}
    assert len(queued) == 1
    with SyncTasksStarted() as started:
        for callback in queued:  # a worker works off the queue after the burst
            callback()
    assert started.count == 1
    assert fresh(connection).syncs_succeeded == synced + 1
    with across_tenants("test setup"):
        assert PushChannel.objects.get(pk=channel.pk).notifications == BURST
    # That sync has started: the next change queues the next one.
    with django_capture_on_commit_callbacks() as queued:
        notify(client, channel)
    assert len(queued) == 1


@pytest.mark.django_db
def test_it_confirms_a_google_channel_without_queueing_a_sync(providers, owner_client,
                                                              django_capture_on_commit_callbacks):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture=django_capture_on_commit_callbacks)
    channel = channel_for(connections()[0])
    with django_capture_on_commit_callbacks() as queued:
        assert notify(Client(), channel, state="sync") == 200
    assert queued == []


@pytest.mark.django_db
def test_it_queues_again_when_the_pending_sync_was_lost(providers, owner_client, settings,
                                                        django_capture_on_commit_callbacks):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture=django_capture_on_commit_callbacks)
    connection = connections()[0]
    channel = channel_for(connection)
    with django_capture_on_commit_callbacks() as queued:
        notify(Client(), channel)
    assert len(queued) == 1  # ...and that task is lost: the worker died, the broker forgot it
    with django_capture_on_commit_callbacks() as queued:
        notify(Client(), channel)
    assert queued == []  # still counted as pending
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection.pk).update(
            sync_queued_at=datetime.now(UTC) - timedelta(seconds=settings.CALENDAR_SYNC_QUEUED_STALE_SECONDS + 1)
        )
    with django_capture_on_commit_callbacks(execute=True) as queued:
        notify(Client(), channel)
    assert len(queued) == 1
    fresh_connection = fresh(connection)
    assert fresh_connection.sync_queued_at is None and fresh_connection.syncs_succeeded == 2


@pytest.mark.django_db
def test_it_lets_the_beat_queue_no_second_sync_while_one_waits(providers, owner_client,
                                                               django_capture_on_commit_callbacks):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture=django_capture_on_commit_callbacks)
    connection = connections()[0]
    with django_capture_on_commit_callbacks() as queued:
        notify(Client(), channel_for(connection))
    assert len(queued) == 1
    with SyncTasksStarted() as started:
        assert calendar_sync_all_task() == 0
    assert started.count == 0


@pytest.mark.django_db(transaction=True)
def test_a_burst_during_a_sync_leads_to_one_more_sync_only(providers, owner_client,
                                                           django_capture_on_commit_callbacks):
    # One provider is enough here: what differs between them, reading the notifications, is tested above.
    connect(owner_client, "google", GOOGLE_ACCOUNT)  # outside a transaction: the first full sync runs right away
    connection = connections()[0]
    channel = channel_for(connection)
    synced = fresh(connection).syncs_succeeded
    assert synced == 1

    def running_sync() -> None:
        try:
            calendar_sync_task.delay(company_id=connection.company_id, connection_id=connection.pk)
        finally:
            dbs.close_all()

    worker = threading.Thread(target=running_sync)
    with SyncTasksStarted() as started:
        # Each webhook request commits on its own; here the burst shares one transaction, so the task it queues
        # waits (as in a worker's queue) until the burst is over. That transaction also holds the calendar's row:
        # the running sync cannot write its page, so it is still running when the last notification arrives.
        with transaction.atomic(), across_tenants("test setup"):
            list(Calendar.objects.select_for_update().filter(connection=connection))
            worker.start()
            deadline = time.monotonic() + 10
            while not fresh(connection).is_syncing:
                assert time.monotonic() < deadline, "the sync never started"
                time.sleep(0.02)
            client = Client()
            with django_capture_on_commit_callbacks() as queued:
                statuses = {notify(client, channel) for _ in range(BURST)}
            assert fresh(connection).is_syncing
            assert len(queued) == 1
        worker.join(timeout=30)
    assert statuses == {200}
    # The sync that ran and one more, after it, that reads what the burst announced. (Two or three tasks: the
    # burst's may find the sync still running and leave word for it, or start once it has ended.)
    assert fresh(connection).syncs_succeeded == synced + 2
    assert started.count in (2, 3)
