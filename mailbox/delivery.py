"""One delivery attempt of an outbox row: claim it, send it through Django's email backend, record the result.

The claim is a single conditional UPDATE, so of two workers holding the same task only one gets the row, and a sent
row is never claimed again. A row stays `sending` while its attempt runs; if the worker dies in that window (maybe
after the SMTP server accepted it), the claim goes stale and the next attempt sends it again with the same
Message-ID, which mail clients use to show it once.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import BadHeaderError, get_connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from recruitee.tasking import backoff_seconds

from .mime import build_email
from .models import Message
from .outbox import messages_of, parts_of, stale_claim_before
from .smtp_errors import Problem, describe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "failed", "retry" (a temporary problem; try again in `retry_in` s), "skipped"
    retry_in: float | None = None


SKIPPED = Outcome("skipped")


def message_claim(*, message_id: int, company_id: int | None) -> Message | None:
    """Take the row for one attempt (queued, or `sending` with a stale claim); None when it is not ours to send."""
    now = timezone.now()
    claimable = Q(status=Message.Status.QUEUED) | Q(status=Message.Status.SENDING, claimed_at__lt=stale_claim_before())
    claimed = messages_of(company_id).filter(claimable, pk=message_id).update(
        status=Message.Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, next_attempt_at=None,
    )
    if not claimed:
        return None
    return messages_of(company_id).get(pk=message_id)


def _ours(message: Message) -> QuerySet[Message]:
    # Only the attempt that holds the claim records its result: an attempt that outlived its claim stays silent.
    return messages_of(message.company_id).filter(
        pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
    )


def _record_sent(message: Message) -> Outcome:
    _ours(message).update(status=Message.Status.SENT, sent_at=timezone.now(), last_error="")
    logger.info("Sent message %s (%s) on attempt %d", message.pk, message.message_id, message.attempts)
    return Outcome("sent")


def _record_problem(message: Message, problem: Problem) -> Outcome:
    if problem.temporary and message.attempts < message.max_attempts:
        delay = backoff_seconds(message.attempts, base=settings.MAILBOX_RETRY_BACKOFF_SECONDS,
                                cap=settings.MAILBOX_RETRY_BACKOFF_MAX_SECONDS)
        _ours(message).update(
            status=Message.Status.QUEUED, next_attempt_at=timezone.now() + timedelta(seconds=delay),
            last_error=f"Attempt {message.attempts} failed: {problem.reason} Trying again {_in_words(delay)}.",
        )
        logger.warning("Message %s attempt %d failed, retrying in %.0f s: %s",
                       message.pk, message.attempts, delay, problem.reason)
        return Outcome("retry", retry_in=delay)
    reason = problem.reason
    if problem.temporary:
        reason = f"{reason} Gave up after {message.attempts} attempts."
    _ours(message).update(status=Message.Status.FAILED, last_error=reason)
    logger.warning("Message %s failed on attempt %d: %s", message.pk, message.attempts, reason)
    return Outcome("failed")


def _in_words(seconds: float) -> str:
    if seconds < 90:
        return f"in {max(round(seconds), 1)} seconds" if seconds >= 1.5 else "in a moment"
    if seconds < 90 * 60:
        return f"in {round(seconds / 60)} minutes"
    return f"in {round(seconds / 3600)} hours"


def message_deliver(*, message_id: int, company_id: int | None) -> Outcome:
    message = message_claim(message_id=message_id, company_id=company_id)
    if message is None:
        return SKIPPED
    try:
        email = build_email(message, parts_of(message))
        sent = get_connection(fail_silently=False).send_messages([email])
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused connections, resets, timeouts, TLS
        return _record_problem(message, describe(error))
    except (BadHeaderError, ValueError, UnicodeError) as error:
        logger.exception("Message %s could not be built", message.pk)
        return _record_problem(message, Problem(False, f"The message could not be built ({error})."))
    except Exception:
        # A bug, not the mail server: keep a record the user sees (and can retry) instead of a row stuck in sending.
        logger.exception("Unexpected error sending message %s", message.pk)
        return _record_problem(message, Problem(False, "An unexpected error stopped the sending; it is logged."))
    if not sent:
        return _record_problem(message, Problem(False, "The mail backend accepted nothing for sending."))
    return _record_sent(message)


def due_for_requeue(now: datetime) -> Q:
    """Rows whose task got lost (broker down at publish, a purge) or whose worker died mid-attempt."""
    lost = now - timedelta(seconds=settings.MAILBOX_REQUEUE_AFTER_SECONDS)
    return Q(status=Message.Status.QUEUED, next_attempt_at__lt=lost) | \
        Q(status=Message.Status.SENDING, claimed_at__lt=stale_claim_before())
