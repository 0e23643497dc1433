"""Pieces of the mailbox that other pages show: the messages about a candidate, status badges."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from recruitee.tenancy.models import Membership

from .. import selectors, sent_rows
from ..access import may_retry
from ..models import Message
from ..outbox import can_retry
from ..sent_rows import STATUS_CLASSES

register = template.Library()


@register.filter
def status_class(message: Message) -> str:
    return STATUS_CLASSES.get(message.status, "text-bg-secondary")


@register.filter
def retry_allowed(message: Message, member: Membership | None) -> bool:
    """The Retry button: failed (or stuck) and the member is its sender or an admin."""
    return member is not None and may_retry(member, message) and can_retry(message)


@register.filter
def recipients(message: Message) -> str:
    """"Ada Lovelace, bob@example.com" for the To and Cc lists."""
    return sent_rows.recipients(message)


@register.simple_tag(takes_context=True)
def message_status(context, message: Message) -> SafeString:
    """The status badge of one message (mailbox/sent_rows.py writes it, for the Sent tab's rows as for this)."""
    badge = sent_rows.StatusBadge(company_slug=context["company"].slug, member=context.get("membership"),
                                  csrf_token=str(context.get("csrf_token") or ""))
    return mark_safe(badge.markup(message))  # noqa: S308 -- escaped by StatusBadge


@register.inclusion_tag("mailbox/_candidate_messages.html", takes_context=True)
def candidate_messages(context, candidate) -> dict:
    member = context.get("membership")
    if member is None or not member.can_recruit:
        return {"show": False}
    newest, total = selectors.candidate_messages(member=member, candidate=candidate)
    return {
        "show": True, "emails": newest, "total": total, "candidate": candidate, "company": member.company,
        "membership": member, "request": context.get("request"),
    }
