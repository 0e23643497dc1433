"""The outbox: every email the product sends is a `Message` row first, then a worker delivers it.

Tenant mail has a company and lives behind the company scope like every tenant row. System mail that belongs to no
company (a password reset) has `company=NULL`: no tenant scope ever shows it, and only `Message.system` (the worker,
the Django admin) reaches it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from recruitee.validators import validate_no_line_breaks

from .addresses import Address, sending_domain, validate_address_list


def new_message_id() -> str:
    """RFC 5322 Message-ID, fixed when the row is made: a resend after a crash carries the same one."""
    return f"<{uuid.uuid4().hex}@{sending_domain()}>"


class SystemManager(models.Manager):
    """Rows of no company. Needs no scope because it can only ever return company-less rows."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(company__isnull=True)


class Message(models.Model):
    class Audience(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        INTERVIEWERS = "interviewers", _("Interviewers")
        TEAM = "team", _("Team")
        SYSTEM = "system", pgettext_lazy("audience of an email", "System")

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("email status", "Queued")
        SENDING = "sending", pgettext_lazy("email status", "Sending")
        SENT = "sent", pgettext_lazy("email status", "Sent")
        FAILED = "failed", pgettext_lazy("email status", "Failed")

    company = models.ForeignKey(
        "tenancy.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    # Who wrote it (None: the product itself). The names are copied so a resend has the very same headers.
    sender = models.ForeignKey(
        "tenancy.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="sent_messages"
    )
    audience = models.CharField(max_length=20, choices=Audience.choices)
    from_name = models.CharField(max_length=200, blank=True, validators=[validate_no_line_breaks])
    from_email = models.EmailField(max_length=254)
    reply_to = models.JSONField(default=list, blank=True, validators=[validate_address_list])
    to = models.JSONField(default=list, validators=[validate_address_list])
    cc = models.JSONField(default=list, blank=True, validators=[validate_address_list])
    # Lower-cased names and addresses of every recipient, for searching (JSON text differs per database).
    recipients_search = models.TextField(blank=True, editable=False)
    subject = models.CharField(max_length=300, validators=[validate_no_line_breaks])
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    candidate = models.ForeignKey(
        "recruiting.Candidate", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    attachment_count = models.PositiveSmallIntegerField(default=0)
    # To + Cc, what the sending limits count (mailbox/limits.py). Every message has a To, so rows written without
    # it (raw SQL) count as one.
    recipient_count = models.PositiveSmallIntegerField(db_default=1)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Attempts allowed before temporary errors count as final; a manual retry grants another round.
    max_attempts = models.PositiveSmallIntegerField(default=6)
    last_error = models.TextField(blank=True)
    message_id = models.CharField("Message-ID", max_length=255, unique=True, default=new_message_id)
    created_at = models.DateTimeField(default=timezone.now)
    # When a worker should try next; the sweeper re-queues rows whose task got lost.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the current attempt started: a `sending` row whose claim is old belongs to a worker that died.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")
    system = SystemManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at", "-id"], name="mailbox_company_newest"),
            models.Index(fields=["company", "sender", "-created_at", "-id"], name="mailbox_sender_newest"),
            models.Index(fields=["company", "candidate", "-created_at", "-id"], name="mailbox_candidate_newest"),
            models.Index(fields=["company", "status", "-created_at", "-id"], name="mailbox_status_newest"),
            # "3 of your messages failed" on every Sent page.
            models.Index(fields=["company", "sender", "status"], name="mailbox_sender_status"),
            models.Index(fields=["status", "next_attempt_at"], name="mailbox_due"),
            # The sending limits sum a company's (or a sender's) recipients of the last 24 hours from the index alone.
            models.Index(fields=["company", "created_at"], include=["sender", "recipient_count"],
                         name="mailbox_sending_quota"),
            # The Sent search has two trigram indexes on PostgreSQL (mailbox_subject_trgm, mailbox_recipients_trgm);
            # they are in migration 0005 only, since SQLite cannot build them.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(company__isnull=False) | Q(audience="system"), name="mailbox_tenant_mail_has_company"
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def to_addresses(self) -> list[Address]:
        return [Address.from_json(item) for item in self.to]

    @property
    def cc_addresses(self) -> list[Address]:
        return [Address.from_json(item) for item in self.cc]

    @property
    def reply_to_addresses(self) -> list[Address]:
        return [Address.from_json(item) for item in self.reply_to]

    @property
    def from_address(self) -> Address:
        return Address(email=self.from_email, name=self.from_name)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SENDING)


class Attachment(models.Model):
    """A file sent with a message, or an alternative body part (the `text/calendar; method=REQUEST` of an invite)."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("Attachment")
        ALTERNATIVE = "alternative", _("Alternative body")

    company = models.ForeignKey(
        "tenancy.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ATTACHMENT)
    filename = models.CharField(max_length=255, blank=True, validators=[validate_no_line_breaks])
    # May carry parameters: "text/calendar; method=REQUEST".
    content_type = models.CharField(max_length=255, validators=[validate_no_line_breaks])
    size = models.PositiveIntegerField()
    content = models.BinaryField()

    objects = ScopedManager(company="company")
    system = SystemManager()

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.filename or self.content_type


class SentListing(models.Model):
    """The outbox as the Sent tab lists and searches it: a view (migration 0007) of the columns its filters read,
    holding the rows of the session's companies only (recruitee/tenancy/db.py).

    Why a view and not the table: row-level security makes PostgreSQL apply a query's conditions only after the
    tenant check, unless they are leakproof, and LIKE is not: the trigram indexes of the search would go unused and
    every search would read all of the company's mail (nor would it trust the column statistics that tell a rare word
    from a common one). The view reads the table as its owner, who bypasses the policies, and applies the same
    tenant condition itself, so the search's conditions reach the indexes and the statistics again.
    Read-only: the application may only SELECT from it.
    """

    company = models.ForeignKey("tenancy.Company", on_delete=models.DO_NOTHING, related_name="+")
    # What Message allows, this allows: the rows are Message's.
    sender = models.ForeignKey("tenancy.Membership", null=True, blank=True, on_delete=models.DO_NOTHING,
                               related_name="+")
    candidate = models.ForeignKey("recruiting.Candidate", null=True, blank=True, on_delete=models.DO_NOTHING,
                                  related_name="+")
    audience = models.CharField(max_length=20, choices=Message.Audience.choices)
    status = models.CharField(max_length=10, choices=Message.Status.choices)
    subject = models.CharField(max_length=300)
    recipients_search = models.TextField(blank=True)
    created_at = models.DateTimeField()

    objects = ScopedManager(company="company")

    class Meta:
        managed = False
        db_table = "mailbox_sent_listing"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
