"""One delivery attempt of an outbox row: claim it, send it through Django's email backend, record the result.

The claim is a single conditional UPDATE, so of two workers holding the same task only one gets the row, and a sent
row is never claimed again. A row stays `sending` while its attempt runs; if the worker dies in that window (maybe
after the SMTP server accepted it), the claim goes stale and the next attempt sends it again with the same
Message-ID, which mail clients use to show it once.

A failure's reason is stored for the sender to read in the Sent tab: in their language, whichever the worker
speaks (the product's own mail without a sender: in its company's default language).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import BadHeaderError, get_connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitee.tasking import backoff_seconds
from recruitee.tenancy.languages import company_language, member_language, speaking
from recruitee.tenancy.models import Company, Membership

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


def _reader_language(message: Message) -> str:
    """The language of whoever reads the message's failure: its sender's, else its company's default."""
    if message.sender_id is not None:
        sender = Membership.objects.select_related("user", "company").filter(
            company_id=message.company_id, pk=message.sender_id).first()
        if sender is not None:
            return member_language(sender)
    if message.company_id is not None:
        return company_language(Company.objects.get(pk=message.company_id))
    return settings.LANGUAGE_CODE


def _record_problem(message: Message, problem_of: Callable[[], Problem]) -> Outcome:
    """Record a failed attempt; `problem_of` says what went wrong in the active language (called in the reader's,
    and in English for the worker's log)."""
    with speaking("en"):
        logged = problem_of().reason
    with speaking(_reader_language(message)):
        problem = problem_of()
        if problem.temporary and message.attempts < message.max_attempts:
            delay = backoff_seconds(message.attempts, base=settings.MAILBOX_RETRY_BACKOFF_SECONDS,
                                    cap=settings.MAILBOX_RETRY_BACKOFF_MAX_SECONDS)
            _ours(message).update(
                status=Message.Status.QUEUED, next_attempt_at=timezone.now() + timedelta(seconds=delay),
                last_error=_("Attempt %(attempt)d failed: %(reason)s Trying again %(when)s.") % {
                    "attempt": message.attempts, "reason": problem.reason, "when": _in_words(delay)},
            )
            logger.warning("Message %s attempt %d failed, retrying in %.0f s: %s",
                           message.pk, message.attempts, delay, logged)
            return Outcome("retry", retry_in=delay)
        reason = problem.reason
        if problem.temporary:
            reason = ngettext("%(reason)s Gave up after %(count)d attempt.",
                              "%(reason)s Gave up after %(count)d attempts.", message.attempts) % {
                "reason": reason, "count": message.attempts}
    _ours(message).update(status=Message.Status.FAILED, last_error=reason)
    logger.warning("Message %s failed on attempt %d: %s", message.pk, message.attempts, logged)
    return Outcome("failed")


def _in_words(seconds: float) -> str:
    if seconds < 1.5:
        return _("in a moment")
    if seconds < 90:
        count = round(seconds)
        return ngettext("in %(count)d second", "in %(count)d seconds", count) % {"count": count}
    if seconds < 90 * 60:
        count = round(seconds / 60)
        return ngettext("in %(count)d minute", "in %(count)d minutes", count) % {"count": count}
    count = round(seconds / 3600)
    return ngettext("in %(count)d hour", "in %(count)d hours", count) % {"count": count}


def message_deliver(*, message_id: int, company_id: int | None) -> Outcome:
    message = message_claim(message_id=message_id, company_id=company_id)
    if message is None:
        return SKIPPED
    try:
        email = build_email(message, parts_of(message))
        sent = get_connection(fail_silently=False).send_messages([email])
    except (smtplib.SMTPException, OSError) as error:  # OSError: refused connections, resets, timeouts, TLS
        return _record_problem(message, partial(describe, error))
    except (BadHeaderError, ValueError, UnicodeError) as error:
        logger.exception("Message %s could not be built", message.pk)
        return _record_problem(message, partial(_not_built, error))
    except Exception:
        # A bug, not the mail server: keep a record the user sees (and can retry) instead of a row stuck in sending.
        logger.exception("Unexpected error sending message %s", message.pk)
        return _record_problem(message, _unexpected)
    if not sent:
        return _record_problem(message, _nothing_accepted)
    return _record_sent(message)


def _not_built(error: Exception) -> Problem:
    return Problem(False, _("The message could not be built (%(error)s).") % {"error": error})


def _unexpected() -> Problem:
    return Problem(False, _("An unexpected error stopped the sending; it is logged."))


def _nothing_accepted() -> Problem:
    return Problem(False, _("The mail backend accepted nothing for sending."))


def due_for_requeue(now: datetime) -> Q:
    """Rows whose task got lost (broker down at publish, a purge) or whose worker died mid-attempt."""
    lost = now - timedelta(seconds=settings.MAILBOX_REQUEUE_AFTER_SECONDS)
    return Q(status=Message.Status.QUEUED, next_attempt_at__lt=lost) | \
        Q(status=Message.Status.SENDING, claimed_at__lt=stale_claim_before())
