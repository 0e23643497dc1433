"""Reads that the scheduling views, services and tasks share."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from calendars.models import CalendarConnection, Event
from mailbox.access import visible_to
from mailbox.models import Message
from recruitee.tenancy.models import Membership

from .models import Interview, Participant


def organizer_connection(member: Membership) -> CalendarConnection | None:
    """The connected calendar the calendar channel writes to: the organizer's first working connection."""
    return (
        CalendarConnection.objects.filter(company=member.company, member=member,
                                          status=CalendarConnection.Status.ACTIVE)
        .order_by("connected_at", "pk").first()
    )


def team_members(company) -> QuerySet[Membership]:
    """Who can be picked as an interviewer: members of this company, and nobody else."""
    return Membership.objects.filter(company=company).select_related("user").order_by("user__full_name", "pk")


def interview_messages(interview: Interview, *, viewer: Membership) -> QuerySet[Message]:
    """The interview's messages that `viewer` may open in the mailbox: the mailbox's rule, not a second one."""
    return (Message.objects.filter(visible_to(viewer), company=interview.company, interview=interview)
            .order_by("created_at", "pk"))


def interviews_for_members(*, members: list[Membership], start, end) -> QuerySet[Interview]:
    """Scheduled interviews that overlap [start, end) and that any of the members organizes or attends."""
    if not members:
        return Interview.objects.none()
    return (
        Interview.objects.filter(company=members[0].company, status=Interview.Status.SCHEDULED,
                                 start__lt=end, end__gt=start)
        .filter(Q(organizer__in=members) | Q(participants__member__in=members))
        .distinct().prefetch_related("participants")
    )


def attendee_responses(interview: Interview) -> dict[str, str]:
    """email → response ("accepted", "declined", ...) as the organizer's synced calendar reports them.

    The sync brings the provider event back into the organizer's calendar; we find it by our UID (Google keeps it)
    or by the provider event id we stored (Graph makes its own UID).
    """
    if interview.organizer_id is None:
        return {}
    match = Q(ical_uid=interview.ical_uid)
    # A missing one-to-one raises a subclass of AttributeError, so getattr's default covers "no calendar invite".
    invite = getattr(interview, "calendar_invite", None)
    if invite is not None and invite.provider_event_id:
        match |= Q(provider_event_id=invite.provider_event_id)
    event = (
        Event.objects.filter(company=interview.company, calendar__connection__member_id=interview.organizer_id)
        .filter(match).order_by("-provider_updated_at", "-pk").first()
    )
    if event is None:
        return {}
    responses = {}
    for attendee in event.attendees or []:
        email = (attendee.get("email") or "").casefold()
        if email and attendee.get("response"):
            responses[email] = attendee["response"]
    return responses


def participants_with_responses(interview: Interview) -> list[tuple[Participant, str]]:
    """Each participant with their answer: the synced calendar's when it has one, else what we stored."""
    responses = attendee_responses(interview)
    return [(p, responses.get(p.email.casefold(), p.response)) for p in interview.participants.all()]
