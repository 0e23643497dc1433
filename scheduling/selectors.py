"""Reads that the scheduling views, services and tasks share."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from calendars.models import Calendar, CalendarConnection, Event
from calendars.selectors import uid_is
from mailbox.access import visible_to
from mailbox.models import Message
from recruitee.tenancy.models import AuditEntry, Membership
from recruitee.tenancy.selectors import audit_entries_of

from .models import Interview, InterviewMessage, Participant, SchedulingRequest


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
    about = InterviewMessage.objects.filter(company=interview.company, interview=interview).values("message_id")
    return (Message.objects.filter(visible_to(viewer), company=interview.company, pk__in=about)
            .order_by("created_at", "pk"))


def interview_history(interview: Interview) -> QuerySet[AuditEntry]:
    """The interview's part of the company's audit trail: scheduled, rescheduled, cancelled, and what was sent."""
    return audit_entries_of(interview).select_related("actor")


# The wizard and the reschedule form keep an interview inside one local day (a duration from the list, or an end
# time on the same date), so one that overlaps a window starts at most this long before it: the (company, start)
# index then reads only the window's interviews, not every interview the company ever had.
LONGEST_INTERVIEW = timedelta(hours=26)


def interviews_for_members(*, members: list[Membership], start: datetime, end: datetime) -> QuerySet[Interview]:
    """Scheduled interviews that overlap [start, end) and that any of the members organizes or attends."""
    if not members:
        return Interview.objects.none()
    return (
        Interview.objects.filter(company=members[0].company_id, status=Interview.Status.SCHEDULED,
                                 start__gte=start - LONGEST_INTERVIEW, start__lt=end, end__gt=start)
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
    # The organizer's calendars first (a handful), so both ways of matching are index lookups: the UID in the
    # company's index of UIDs, the provider id in the (calendar, provider id) unique index.
    calendars = list(Calendar.objects.filter(company=interview.company_id,
                                             connection__member_id=interview.organizer_id).values_list("pk", flat=True))
    if not calendars:
        return {}
    match = uid_is([interview.ical_uid])
    # A missing one-to-one raises a subclass of AttributeError, so getattr's default covers "no calendar invite".
    invite = getattr(interview, "calendar_invite", None)
    if invite is not None and invite.provider_event_id:
        match |= Q(provider_event_id=invite.provider_event_id)
    event = (
        Event.objects.filter(company=interview.company_id, calendar_id__in=calendars)
        .filter(match).only("attendees").order_by("-provider_updated_at", "-pk").first()
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


def candidate_scheduling_requests(candidate) -> QuerySet[SchedulingRequest]:
    """The candidate's scheduling links, newest first, with what their rows show."""
    return (SchedulingRequest.objects.filter(company=candidate.company_id, candidate=candidate)
            .select_related("interview", "organizer__user").order_by("-created_at", "-pk"))


def interview_load(members: list[Membership], start: datetime, end: datetime, *,
                   exclude: Interview | None = None) -> dict[int, int]:
    """member id -> how many scheduled interviews they take part in as an interviewer that start in [start, end)
    (`exclude`: one being moved, which does not count). Members without any are left out. One query, whatever the
    number of members."""
    if not members:
        return {}
    rows = Participant.objects.filter(company=members[0].company_id, member__in=members,
                                      role=Participant.Role.INTERVIEWER, interview__status=Interview.Status.SCHEDULED,
                                      interview__start__gte=start, interview__start__lt=end)
    if exclude is not None:
        rows = rows.exclude(interview=exclude)
    rows = (rows.values("member_id").annotate(count=Count("interview_id", distinct=True)))
    return {row["member_id"]: row["count"] for row in rows}
