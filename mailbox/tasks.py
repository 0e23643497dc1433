"""Workers deliver the outbox. Tasks carry ids only and open the company's scope from the id they are given."""

from __future__ import annotations

import logging
from contextlib import nullcontext

from celery import shared_task
from django.utils import timezone
from django_scopes import scope

from recruitee.tenancy.models import Company

from .delivery import due_for_requeue, message_deliver
from .models import Message

logger = logging.getLogger(__name__)


def _company_scope(company_id: int | None):
    # System mail (company None) opens no scope: `scope(company=None)` would mean "every company".
    return scope(company=company_id) if company_id is not None else nullcontext()


@shared_task(acks_late=True)
def message_send_task(message_id: int, company_id: int | None = None) -> str:
    """Deliver one message. Idempotent: a sent, failed or in-flight message is skipped."""
    with _company_scope(company_id):
        outcome = message_deliver(message_id=message_id, company_id=company_id)
    if outcome.retry_in is not None:
        # The row counts the attempts and decides when to stop; the next attempt is simply a later task. (Unlike
        # self.retry(), this also runs the retries when tasks execute eagerly, inline in the caller.)
        message_send_task.apply_async((message_id,), {"company_id": company_id}, countdown=outcome.retry_in)
    return outcome.status


@shared_task
def message_requeue_stale_task() -> int:
    """Beat: queue again what no task will deliver (publish failed, broker lost it, the worker died mid-send)."""
    now = timezone.now()
    queued = 0
    company_ids = list(
        Company.objects.filter(messages__status__in=[Message.Status.QUEUED, Message.Status.SENDING])
        .values_list("pk", flat=True).distinct()
    )
    for company_id in [*company_ids, None]:
        with _company_scope(company_id):
            manager = Message.system if company_id is None else Message.objects.filter(company_id=company_id)
            ids = list(manager.filter(due_for_requeue(now)).values_list("pk", flat=True)[:1000])
            # Due again only after another grace period, so a busy worker's backlog is not queued twice a minute.
            manager.filter(pk__in=ids, status=Message.Status.QUEUED).update(next_attempt_at=now)
            for message_id in ids:
                message_send_task.delay(message_id, company_id=company_id)
            queued += len(ids)
    if queued:
        logger.info("Queued %d outbox message(s) again", queued)
    return queued
