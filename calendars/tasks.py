import logging

from celery import shared_task
from django.db import transaction
from django_scopes import scope

from recruitee.tenancy.models import Company

from .models import CalendarConnection
from .providers.base import ProviderError, ReconnectNeeded, TemporaryProviderError
from .push import push_channels_reconcile
from .sync import lock
from .sync.engine import SyncDeferred, connection_sync

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=30)
def calendar_sync_task(self, *, company_id: int, connection_id: int, full: bool = False) -> None:
    with scope(company=company_id):
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
        calendar_sync_task.delay(company_id=company_id, connection_id=connection_id, full=outcome["again_full"])


def queue_sync(connection: CalendarConnection, *, full: bool = False) -> None:
    calendar_sync_task.delay(company_id=connection.company_id, connection_id=connection.pk, full=full)


def queue_sync_unless_queued(*, company_id: int, connection_id: int) -> bool:
    """Queue an incremental sync after commit unless one is already waiting to start; True when this queued it.

    For what arrives in bursts (push notifications, the beat): however many ask, one task waits per connection.
    """
    if not lock.claim_queued(connection_id):
        return False
    transaction.on_commit(lambda: calendar_sync_task.delay(company_id=company_id, connection_id=connection_id))
    return True


@shared_task(autoretry_for=(TemporaryProviderError,), retry_backoff=30, max_retries=5)
def push_channels_reconcile_task(*, company_id: int, connection_id: int, renew_all: bool = False) -> None:
    with scope(company=company_id):
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


@shared_task
def push_channels_renew_task() -> None:
    """Beat: renew subscriptions and replace channels before they expire."""
    for company in Company.objects.filter(calendar_connections__status=CalendarConnection.Status.ACTIVE).distinct():
        with scope(company=company):
            for connection in CalendarConnection.objects.filter(
                company=company, status=CalendarConnection.Status.ACTIVE
            ):
                push_channels_reconcile_task.delay(company_id=company.pk, connection_id=connection.pk)


@shared_task
def calendar_sync_all_task() -> int:
    """Beat: an incremental sync for every active connection, so changes arrive even without push (none for a
    connection that already has one waiting). Returns how many it queued."""
    queued = 0
    for company in Company.objects.filter(calendar_connections__status=CalendarConnection.Status.ACTIVE).distinct():
        with scope(company=company):
            for connection in CalendarConnection.objects.filter(
                company=company, status=CalendarConnection.Status.ACTIVE
            ):
                queued += queue_sync_unless_queued(company_id=company.pk, connection_id=connection.pk)
    return queued
