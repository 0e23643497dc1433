"""What the slot computation needs of the interviewers, read from the database in a constant number of queries.

The computation itself (slots.py) is pure; this module turns members, their synced busy events and their
interviews into its `Person` inputs for one window, whatever the number of people or events.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max

from calendars.selectors import busy_spans_for_members, members_with_calendars
from recruitee.tenancy.models import Membership

from .models import Interview, Participant
from .selectors import interviews_for_members
from .slots import Person, Rules

# A person's day may start up to 14 hours before or after the window's zone's (UTC-12 to UTC+14): read that much
# around the window so every working hour of every window day is covered.
_ZONE_MARGIN = timedelta(hours=26)


def busy_span(rules: Rules) -> tuple[datetime, datetime]:
    """The instants whose busy times can matter: the window's days, the buffers, and the widest zone difference."""
    zone = ZoneInfo(rules.zone)
    start = datetime.combine(rules.first_day, time(), tzinfo=zone) - _ZONE_MARGIN - rules.buffer_before
    end = datetime.combine(rules.last_day + timedelta(days=1), time(), tzinfo=zone) + _ZONE_MARGIN + rules.buffer_after
    return start, end


def load_span(rules: Rules) -> tuple[datetime, datetime]:
    """The busy span widened to whole ISO weeks: the weekly load counts every interview of those weeks."""
    zone = ZoneInfo(rules.zone)
    monday = rules.first_day - timedelta(days=rules.first_day.weekday())
    monday_after = rules.last_day + timedelta(days=7 - rules.last_day.weekday())
    start, end = busy_span(rules)
    return (min(start, datetime.combine(monday, time(), tzinfo=zone) - _ZONE_MARGIN),
            max(end, datetime.combine(monday_after, time(), tzinfo=zone) + _ZONE_MARGIN))


def people_for(members: list[Membership], rules: Rules, *, exclude: Interview | None = None) -> dict[int, Person]:
    """member id -> Person, for the members (with `user` and `company` loaded), over the rules' window.

    `exclude` is an interview being moved: it neither blocks its own people nor counts towards their load.
    """
    if not members:
        return {}
    start, end = load_span(rules)
    interviews = [interview for interview in interviews_for_members(members=members, start=start, end=end)
                  if exclude is None or interview.pk != exclude.pk]
    start, end = busy_span(rules)
    ours = {interview.ical_uid for interview in interviews} | ({exclude.ical_uid} if exclude else set())
    busy: dict[int, list[tuple[datetime, datetime]]] = {member.pk: [] for member in members}
    # Free (transparent) events do not block; our own interviews are counted once, from our rows below.
    for member_id, event_start, event_end in busy_spans_for_members(members=members, start=start, end=end,
                                                                    except_uids=ours):
        busy[member_id].append((event_start, event_end))
    starts: dict[int, list[datetime]] = {member.pk: [] for member in members}
    for interview in interviews:
        interviewers = {p.member_id for p in interview.participants.all() if p.role == Participant.Role.INTERVIEWER}
        for member_id in interviewers | {interview.organizer_id}:
            if member_id in busy:
                busy[member_id].append((interview.start, interview.end))
        for member_id in interviewers:
            if member_id in starts:
                starts[member_id].append(interview.start)
    last = dict(
        Participant.objects.filter(company=members[0].company_id, member__in=members,
                                   role=Participant.Role.INTERVIEWER, interview__status=Interview.Status.SCHEDULED,
                                   interview__start__lt=rules.now)
        .values("member_id").annotate(latest=Max("interview__start")).values_list("member_id", "latest")
    )
    connected = members_with_calendars(members=members)
    return {
        member.pk: Person(
            id=member.pk, name=member.user.display_name,
            zone=member.user.time_zone or member.company.time_zone or "UTC",
            working_weekdays=frozenset(member.working_weekdays), work_start=member.work_start,
            work_end=member.work_end, busy=tuple(busy[member.pk]), interview_starts=tuple(starts[member.pk]),
            max_per_day=member.max_interviews_per_day, max_per_week=member.max_interviews_per_week,
            last_interview_at=last.get(member.pk), connected=member.pk in connected,
        )
        for member in members
    }

