"""Writes of the outbox. `message_send` is the one way the product sends an email.

    message_send(company=acme, sender=membership, audience=Message.Audience.CANDIDATE,
                 to=[Address("ada@example.com", "Ada Lovelace")], subject="Your interview", text="Hi Ada, ...",
                 candidate=candidate,
                 attachments=[AttachmentData("invite.ics", "application/ics", ics_bytes)],
                 alternatives=[AlternativePart("text/calendar; method=REQUEST", ics_text)])

The row is written in the caller's transaction; the send task is queued only after it commits, so a rolled-back
transaction sends nothing and a worker never looks for a row that is not there yet.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from recruitee.emails import RenderedEmail
from recruitee.recruiting.models import Candidate
from recruitee.tasking import queue_after_commit
from recruitee.tenancy.models import Company, Membership
from recruitee.tenancy.refusals import refusals_recorded
from recruitee.tenancy.services import audit_record
from recruitee.validators import validate_no_line_breaks

from .addresses import Address, one_line, product_address, validate_address
from .bodies import html_from_text, normalize_text
from .limits import sending_limits_check
from .models import Attachment, Message
from .outbox import messages_of, retryable
from .tasks import message_send_task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttachmentData:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class AlternativePart:
    """Another rendering of the body inside multipart/alternative, e.g. ("text/calendar; method=REQUEST", ics)."""

    content_type: str
    content: str


def safe_filename(name: str) -> str:
    """The last path segment, without control characters, at most 255 characters (extension kept)."""
    name = os.path.basename(name.replace("\\", "/"))
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".") or "attachment"
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        name = stem[: 255 - len(ext[:20])] + ext[:20]
    return name


def guess_content_type(filename: str) -> str:
    # Browsers send whatever the operating system thinks; the name decides, as it does for the recipient.
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def sender_name(member: Membership) -> str:
    # A person's name; without one, the company's, never their address (an address as a name looks like phishing).
    return one_line(member.user.full_name) or one_line(member.company.name)


def _check(*, company, sender, audience, to, cc, reply_to, subject, texts, candidate, parts) -> None:
    if audience not in Message.Audience.values:
        raise ValidationError(f"Unknown audience {audience!r}.")
    if company is None and audience != Message.Audience.SYSTEM:
        raise ValidationError("Only system mail may be sent without a company.")
    if sender is not None and (company is None or sender.company_id != company.pk):
        raise ValidationError("The sender must be a member of the company.")
    if candidate is not None and (company is None or candidate.company_id != company.pk):
        raise ValidationError("The candidate must belong to the company.")
    if not to:
        raise ValidationError("A message needs at least one recipient.")
    for address in (*to, *cc, *reply_to):
        validate_address(address)
    validate_no_line_breaks(subject)
    if any("\x00" in text for text in texts):
        raise ValidationError("The subject and text must not contain NUL characters.")
    if not subject.strip() or len(subject) > Message._meta.get_field("subject").max_length:
        raise ValidationError("A subject of 1 to 300 characters is needed.")
    total = 0
    for part in parts:
        validate_no_line_breaks(part.content_type)
        total += len(part.content.encode() if isinstance(part.content, str) else part.content)
    if total > settings.MAILBOX_ATTACHMENTS_MAX_BYTES:
        limit = settings.MAILBOX_ATTACHMENTS_MAX_BYTES // (1024 * 1024)
        raise ValidationError(f"Attachments may add up to {limit} MB per message.")


def message_send(
    *,
    company: Company | None,
    audience: str,
    to: Sequence[Address],
    subject: str,
    text: str,
    html: str | None = None,
    sender: Membership | None = None,
    cc: Sequence[Address] = (),
    reply_to: Sequence[Address] | None = None,
    candidate: Candidate | None = None,
    attachments: Sequence[AttachmentData] = (),
    alternatives: Sequence[AlternativePart] = (),
    refusable: bool = True,
) -> Message:
    """Write the message (queued) and queue its delivery for after the commit. Raises ValidationError, and
    SendingLimitReached (a ValidationError) when a sender is over a sending limit (mailbox/limits.py).

    From is the product's sending address with the sender's name (so SPF/DKIM pass for our domain); Reply-To is
    the sender, so answers reach a person. `html=None` makes the HTML part from the text; `html=""` sends text only.
    `refusable=False` is for mail that must reach people even when its sender is over a limit (a cancellation):
    it still counts.
    """
    if reply_to is None:
        reply_to = [Address(email=sender.user.email, name=sender_name(sender))] if sender else []
    _check(company=company, sender=sender, audience=audience, to=to, cc=cc, reply_to=reply_to, subject=subject,
           texts=(subject, text, html or ""), candidate=candidate,
           parts=[*attachments, *alternatives])
    if sender is not None:
        from_name = sender_name(sender)
    else:
        from_name = one_line(parseaddr(settings.DEFAULT_FROM_EMAIL)[0]) or "Recruitee"
    text = normalize_text(text)
    if html is None:
        html = html_from_text(text, subject=subject)
    recipients = [*to, *cc]
    with refusals_recorded(), transaction.atomic():
        if sender is not None:
            sending_limits_check(company=company, sender=sender, recipients=len(recipients), refuse=refusable)
        now = timezone.now()
        message = Message.objects.create(
            company=company, sender=sender, audience=audience, candidate=candidate,
            from_name=from_name, from_email=product_address(),
            to=[a.as_json() for a in to], cc=[a.as_json() for a in cc], reply_to=[a.as_json() for a in reply_to],
            recipients_search=" ".join(f"{a.name} <{a.email}>" for a in recipients).lower(),
            recipient_count=len(recipients),
            subject=subject, text_body=text, html_body=html,
            attachment_count=len(attachments), max_attempts=settings.MAILBOX_SEND_MAX_ATTEMPTS,
            next_attempt_at=now,
        )
        rows = [
            Attachment(company=company, message=message, kind=Attachment.Kind.ALTERNATIVE, filename="",
                       content_type=part.content_type, content=part.content.encode(),
                       size=len(part.content.encode()))
            for part in alternatives
        ] + [
            Attachment(company=company, message=message, kind=Attachment.Kind.ATTACHMENT,
                       filename=safe_filename(part.filename),
                       content_type=part.content_type or guess_content_type(part.filename),
                       content=part.content, size=len(part.content))
            for part in attachments
        ]
        if rows:
            Attachment.objects.bulk_create(rows)
        _queue_delivery(message)
    return message


def _queue_delivery(message: Message) -> None:
    # A broker that is down leaves the row queued; the beat's sweeper queues it again (mailbox.tasks).
    queue_after_commit(message_send_task, company_id=message.company_id, message_id=message.pk)


def system_message_send(*, to: list[str], email: RenderedEmail, company: Company | None = None,
                        sender: Membership | None = None) -> None:
    """The core's system emails (recruitee/emails.py): team mail with a company, company-less system mail
    without one."""
    message_send(
        company=company,
        audience=Message.Audience.TEAM if company is not None else Message.Audience.SYSTEM,
        to=[Address(email=address) for address in to],
        subject=email.subject, text=email.text, html=email.html, sender=sender,
    )


def message_retry(*, message: Message, actor) -> bool:
    """Queue a failed (or stuck) message again, with a fresh round of attempts. False if it is not retryable."""
    with transaction.atomic():
        updated = messages_of(message.company_id).filter(retryable(), pk=message.pk).update(
            status=Message.Status.QUEUED, last_error="", next_attempt_at=timezone.now(), claimed_at=None,
            max_attempts=F("attempts") + settings.MAILBOX_SEND_MAX_ATTEMPTS,
        )
        if not updated:
            return False
        if message.company_id is not None:
            recipients = ", ".join(a.email for a in message.to_addresses)
            audit_record(company=message.company, actor=actor, action="message.retried",
                         summary=f"{actor} retried the email “{message.subject}” to {recipients}",
                         message_id=message.pk, subject=message.subject,
                         recipients=[a.email for a in message.to_addresses])
        _queue_delivery(message)
    return True
