"""Fetch-and-authorize for messages: one boring 404 for "missing", "another company's" and "not for your eyes"."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from recruitee.tenancy.models import Membership, Role

from .models import Attachment, Message

# What recruiters share: mail to candidates and interviewers. Team and system mail (invitation links, notices to
# one person) is for admins and its sender.
SHARED_WITH_RECRUITERS = (Message.Audience.CANDIDATE, Message.Audience.INTERVIEWERS)


def visible_to(member: Membership) -> Q:
    if member.role == Role.ADMIN:
        return Q(company=member.company)
    mine = Q(company=member.company, sender=member)
    if member.role == Role.RECRUITER:
        return mine | Q(company=member.company, audience__in=SHARED_WITH_RECRUITERS)
    return mine


def get_message_for_member(member: Membership, message_id: int) -> Message:
    try:
        return (
            Message.objects.select_related("candidate", "sender__user")
            .filter(visible_to(member))
            .get(company=member.company, pk=message_id)
        )
    except Message.DoesNotExist:
        raise Http404 from None


def get_attachment_for_member(member: Membership, message_id: int, attachment_id: int) -> Attachment:
    message = get_message_for_member(member, message_id)
    try:
        return Attachment.objects.get(company=member.company, message=message, pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None


def may_retry(member: Membership, message: Message) -> bool:
    return member.is_admin or (message.sender_id is not None and message.sender_id == member.pk)
