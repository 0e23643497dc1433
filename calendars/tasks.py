"""Calendar work for the worker: syncs and push channels. Each task loads what it needs by id and runs in its
company's scope (`recruitee.tasking.tenant_task`); the beat's sweepers go through the companies one by one.

Nothing here imports the services: they queue these tasks, so the dependency runs one way.
"""

import logging

from celery import shared_task
from django.conf import settings

from recruitee.tasking import company_context, queue_after_commit, tenant_task
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company

from .models import CalendarConnection
from .providers.base import ProviderError, ReconnectNeeded, TemporaryProviderError
from .push import push_channels_reconcile
from .sync import lock
from .sync.engine import SyncDeferred, connection_sync

logger = logging.getLogger(__name__)


@tenant_task(bind=True, acks_late=True, max_retries=30)
def calendar_sync_task(self, *, company_id: int, connection_id: int, full: bool = False) -> None:
    if not CalendarConnection.objects.filter(company_id=company_id, pk=connection_id).exists():
        return  # disconnected meanwhile
    try:
        outcome = connection_sync(connection_id=connection_id, full=full)
    except SyncDeferred as deferred:
        # Resumes from the page it stopped at: the position is saved with every page.
        raise self.retry(countdown=deferred.countdown, kwargs={
            "company_id": company_id, "connection_id": connection_id, "full": False,
        }) from None
    except ReconnectNeeded:
        return  # the connection is marked and its owner has been told
    except ProviderError as error:
        logger.warning("Sync of connection %s failed: %s", connection_id, error)
        return
    if outcome["again"]:
        # Someone asked for a sync while this one ran: run once more so their changes are picked up.
        queue_after_commit(calendar_sync_task, company_id=company_id, connection_id=connection_id,
                           full=outcome["again_full"])


def queue_sync(connection: CalendarConnection, *, full: bool = False) -> None:
    """A sync of the connection, queued once the current transaction commits."""
    queue_after_commit(calendar_sync_task, company_id=connection.company_id, connection_id=connection.pk, full=full)


def queue_sync_unless_queued(*, company_id: int, connection_id: int) -> bool:
    """Queue an incremental sync after commit unless one is already waiting to start; True when this queued it.

    For what arrives in bursts (push notifications, the beat): however many ask, one task waits per connection.
    """
    if not lock.claim_queued(connection_id):
        return False
    queue_after_commit(calendar_sync_task, company_id=company_id, connection_id=connection_id)
    return True


@tenant_task(autoretry_for=(TemporaryProviderError,), retry_backoff=30, max_retries=5)
def push_channels_reconcile_task(*, company_id: int, connection_id: int, renew_all: bool = False) -> None:
    connection = CalendarConnection.objects.filter(company_id=company_id, pk=connection_id).first()
    if connection is None:
        return
    try:
        push_channels_reconcile(connection=connection, renew_all=renew_all)
    except TemporaryProviderError:
        raise
    except ProviderError as error:
        # Without push, the beat schedule's periodic sync still picks up every change, only later.
        logger.warning("Push channels for connection %s could not be set up: %s", connection_id, error)


def queue_push_reconcile(connection: CalendarConnection, *, renew_all: bool = False) -> None:
    """Bring the connection's push channels in line with its selected calendars, once the transaction commits."""
    if settings.CALENDAR_PUSH_ENABLED:
        queue_after_commit(push_channels_reconcile_task, company_id=connection.company_id,
                           connection_id=connection.pk, renew_all=renew_all)


def _active_connection_ids() -> dict[int, list[int]]:
    """The ids of every active connection, by company, each company's read in its own scope."""
    with across_tenants("beat: the companies with active calendar connections"):
        company_ids = list(Company.objects.filter(calendar_connections__status=CalendarConnection.Status.ACTIVE)
                           .distinct().values_list("pk", flat=True))
    found = {}
    for company_id in company_ids:
        with company_context(company_id):
            found[company_id] = list(CalendarConnection.objects.filter(
                company_id=company_id, status=CalendarConnection.Status.ACTIVE).values_list("pk", flat=True))
    return found


@shared_task
def push_channels_renew_task() -> None:
    """Beat: renew subscriptions and replace channels before they expire."""
    for company_id, connection_ids in _active_connection_ids().items():
        for connection_id in connection_ids:
            queue_after_commit(push_channels_reconcile_task, company_id=company_id, connection_id=connection_id)


@shared_task
def calendar_sync_all_task() -> int:
    """Beat: an incremental sync for every active connection, so changes arrive even without push (none for a
    connection that already has one waiting). Returns how many it queued."""
    queued = 0
    for company_id, connection_ids in _active_connection_ids().items():
        with company_context(company_id):
            for connection_id in connection_ids:
                queued += queue_sync_unless_queued(company_id=company_id, connection_id=connection_id)
    return queued
