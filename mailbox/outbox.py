"""Reads of outbox rows that both the writes (services) and the delivery use: which rows are a company's, and which
are stuck. Kept apart so delivery need not import the services, which queue delivery tasks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Attachment, Message


def messages_of(company_id: int | None) -> QuerySet[Message]:
    """A company's messages (needs that company's scope), or the company-less system mail."""
    if company_id is None:
        return Message.system.all()
    return Message.objects.filter(company_id=company_id)


def parts_of(message: Message) -> QuerySet[Attachment]:
    manager = Attachment.system if message.company_id is None else Attachment.objects
    return manager.filter(company_id=message.company_id, message_id=message.pk)


def stale_claim_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.MAILBOX_SENDING_STALE_SECONDS)


def retryable() -> Q:
    """Failed, or stuck in `sending` past the time any real attempt takes (its worker died)."""
    return Q(status=Message.Status.FAILED) | Q(status=Message.Status.SENDING, claimed_at__lt=stale_claim_before())


def can_retry(message: Message) -> bool:
    if message.status == Message.Status.FAILED:
        return True
    return message.status == Message.Status.SENDING and message.claimed_at is not None and \
        message.claimed_at < stale_claim_before()
