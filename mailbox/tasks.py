"""Workers deliver the outbox. Tasks carry ids only; the task base opens the company's scope (recruitee/tasking.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from recruitee.tasking import company_context, tenant_task
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company

from .delivery import due_for_requeue, message_deliver
from .models import Message
from .outbox import messages_of

logger = logging.getLogger(__name__)


@tenant_task(acks_late=True)
def message_send_task(*, company_id: int | None, message_id: int) -> str:
    """Deliver one message (company_id None: system mail). Idempotent: a sent, failed or in-flight message is
    skipped."""
    outcome = message_deliver(message_id=message_id, company_id=company_id)
    if outcome.retry_in is not None:
        # The row counts the attempts and decides when to stop; the next attempt is simply a later task. (Unlike
        # self.retry(), this also runs the retries when tasks execute eagerly, inline in the caller.)
        message_send_task.apply_async(kwargs={"company_id": company_id, "message_id": message_id},
                                      countdown=outcome.retry_in)
    return outcome.status


@shared_task
def message_requeue_stale_task() -> int:
    """Beat: queue again what no task will deliver (publish failed, broker lost it, the worker died mid-send)."""
    now = timezone.now()
    queued = 0
    with across_tenants("beat: the companies with mail that may be stuck"):
        company_ids = list(
            Company.objects.filter(messages__status__in=[Message.Status.QUEUED, Message.Status.SENDING])
            .values_list("pk", flat=True).distinct()
        )
    for company_id in [*company_ids, None]:
        with company_context(company_id):
            rows = messages_of(company_id)
            ids = list(rows.filter(due_for_requeue(now)).values_list("pk", flat=True)[:1000])
            # Due again only after another grace period, so a busy worker's backlog is not queued twice a minute.
            rows.filter(pk__in=ids, status=Message.Status.QUEUED).update(next_attempt_at=now)
            for message_id in ids:
                message_send_task.delay(company_id=company_id, message_id=message_id)
            queued += len(ids)
    if queued:
        logger.info("Queued %d outbox message(s) again", queued)
    return queued
