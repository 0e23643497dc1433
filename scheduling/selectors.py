"""Reads that the scheduling views, services and tasks share."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from calendars.models import CalendarConnection
from mailbox.access import visible_to
from mailbox.models import Message
from recruitee.tenancy.models import AuditEntry, Membership
from recruitee.tenancy.selectors import audit_entries_of

from .invitation_calendar import invitation_connection
from .models import CalendarInvite, Interview, InterviewMessage, Participant, SchedulingRequest


def organizer_connection(member: Membership) -> CalendarConnection | None:
    """The connected calendar the calendar channel writes to by default: the one the organizer marked for
    invitations, else their first working connection (invitation_calendar.py)."""
    return invitation_connection(member)


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


def participants_with_responses(interview: Interview) -> list[tuple[Participant, str]]:
    """Each participant with their stored answer (answers.py keeps it up to date from the organizer's synced
    calendar)."""
    return [(p, p.response) for p in interview.participants.all()]


def answers_by_email_only(participants) -> bool:
    """Whether anyone was invited by email only: their answers go to the organizer's mailbox, which we do not
    read."""
    return any(p.by_email and not p.by_calendar for p in participants)


def declined_invitations(member: Membership) -> QuerySet[Participant]:
    """The home page's alert: people who declined an upcoming interview that `member` organizes, latest first."""
    now = timezone.now()
    # The lower bound on the start keeps the read to the organizer's interviews still to come (their index), not
    # all they ever organized.
    return (Participant.objects.filter(company=member.company_id, interview__organizer=member,
                                       response=Participant.Response.DECLINED,
                                       interview__status=Interview.Status.SCHEDULED,
                                       interview__start__gte=now - LONGEST_INTERVIEW, interview__end__gt=now)
            .select_related("interview__candidate").order_by("-response_at", "-pk"))


def outside_changes(member: Membership) -> QuerySet[CalendarInvite]:
    """Interviews `member` organizes whose calendar event was changed outside the app, waiting for a decision."""
    return (CalendarInvite.objects.filter(company=member.company_id, interview__organizer=member,
                                          interview__status=Interview.Status.SCHEDULED,
                                          outside_change_at__isnull=False)
            .select_related("interview__candidate").order_by("-outside_change_at"))


def candidate_scheduling_requests(candidate) -> QuerySet[SchedulingRequest]:
    """The candidate's scheduling links, newest first, with what their rows show."""
    return (SchedulingRequest.objects.filter(company=candidate.company_id, candidate=candidate)
            .select_related("interview", "organizer__user").order_by("-created_at", "-pk"))


def interview_loads(members: list[Membership], *, week: tuple[datetime, datetime], day: tuple[datetime, datetime],
                    exclude: Interview | None = None) -> dict[int, tuple[int, int]]:
    """member id -> (that day, that week): how many scheduled interviews they take part in as an interviewer that
    start in `day` and in `week` ([start, end) each; the day lies within the week). `exclude`: one being moved, which
    does not count. Members without any are left out. One query, whatever the number of members."""
    if not members:
        return {}
    rows = Participant.objects.filter(company=members[0].company_id, member__in=members,
                                      role=Participant.Role.INTERVIEWER, interview__status=Interview.Status.SCHEDULED,
                                      interview__start__gte=week[0], interview__start__lt=week[1])
    if exclude is not None:
        rows = rows.exclude(interview=exclude)
    that_day = Q(interview__start__gte=day[0], interview__start__lt=day[1])
    rows = rows.values("member_id").annotate(day=Count("interview_id", distinct=True, filter=that_day),
                                             week=Count("interview_id", distinct=True))
    return {row["member_id"]: (row["day"], row["week"]) for row in rows}
