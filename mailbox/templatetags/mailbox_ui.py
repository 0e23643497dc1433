"""Pieces of the mailbox that other pages show: the messages about a candidate, status badges."""

from __future__ import annotations

from django import template

from recruitee.tenancy.models import Membership

from .. import selectors
from ..access import may_retry
from ..models import Message
from ..outbox import can_retry

register = template.Library()

STATUS_CLASSES = {
    Message.Status.QUEUED: "text-bg-secondary",
    Message.Status.SENDING: "text-bg-info",
    Message.Status.SENT: "text-bg-success",
    Message.Status.FAILED: "text-bg-danger",
}


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
    return ", ".join(a.name or a.email for a in [*message.to_addresses, *message.cc_addresses])


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
