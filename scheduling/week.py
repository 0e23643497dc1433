"""The week page's picture: the synced calendar events of the shown people and the interviews scheduled here.

It lives in scheduling because it is the app that knows both: calendars knows only the synced events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from calendars.models import CalendarConnection
from recruitee.tenancy.models import Membership

from .event_reads import window_events
from .models import Interview
from .selectors import interviews_for_members
from .week_layout import AllDayItem, Block, PersonDay, finish_day, split_by_day, week_start

Grid = dict[tuple[int, date], PersonDay]


@dataclass(frozen=True)
class Week:
    """The days shown: a week, or one day in the day view."""

    monday: date
    days: list[date]
    start: datetime  # the viewer's local midnights
    end: datetime


def week_of(day: date, zone: ZoneInfo) -> Week:
    monday = week_start(day)
    return Week(monday=monday, days=[monday + timedelta(days=offset) for offset in range(7)],
                start=datetime.combine(monday, time.min, tzinfo=zone),
                end=datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone))


def requested_day(value: str | None, today: date) -> tuple[date, str]:
    """The day asked for; or today, and why the one asked for is refused."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        return today, _("Enter a date like 2027-03-29. Showing this week instead.")
    # The week around the day, in any zone, must stay inside what `date` and `datetime` can hold.
    if not date(1, 1, 10) <= day <= date(9999, 12, 20):
        return today, _("That date is too far away to show. Showing this week instead.")
    return day, ""


def day_of(day: date, zone: ZoneInfo) -> Week:
    """One day, for the day view (phones, or many teammates side by side)."""
    return Week(monday=week_start(day), days=[day], start=datetime.combine(day, time.min, tzinfo=zone),
                end=datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone))


def sync_times(members: list[Membership]) -> dict[int, datetime | None]:
    """member id -> when their calendars were last synced (the latest of their working connections; None before
    the first sync). Members without a working connection are left out: their availability is unknown."""
    found: dict[int, datetime | None] = {}
    rows = CalendarConnection.objects.filter(member__in=members, status=CalendarConnection.Status.ACTIVE)
    for member_id, synced_at in rows.values_list("member_id", "last_sync_at"):
        if member_id not in found or (synced_at and (found[member_id] is None or synced_at > found[member_id])):
            found[member_id] = synced_at
    return found


def week_grid(*, week: Week, shown: list[Membership], viewer: Membership, zone: ZoneInfo,
              interview_url: Callable[[int], str]) -> Grid:
    """Each shown person's days: their synced events and the interviews they take part in, laid out in lanes.

    Three reads, each bounded by the week: the shown people's calendars, their events, the interviews (with their
    participants); everything else is worked out here, once, so the template only prints."""
    grid: Grid = {(person.pk, day): PersonDay() for person in shown for day in week.days}
    interviews = list(interviews_for_members(members=shown, start=week.start, end=week.end))
    people = {interview.pk: {p.member_id for p in interview.participants.all()} | {interview.organizer_id}
              for interview in interviews}
    # An interview in someone's synced calendar (the calendar channel puts it there with our UID) is drawn from our
    # row, as an interview: known from the week's rows already read, no lookup by UID.
    ours = {(interview.ical_uid, member_id) for interview in interviews for member_id in people[interview.pk]}
    events = window_events(members=shown, start=week.start, end=week.end)
    _events_into_week(grid=grid, events=events, ours=ours, viewer=viewer, zone=zone)
    _interviews_into_week(grid=grid, interviews=interviews, people=people, shown=shown, viewer=viewer, zone=zone,
                          interview_url=interview_url)
    escaped: dict[str, str] = {}
    for person_day in grid.values():
        finish_day(person_day, escaped)
    return grid


def _events_into_week(*, grid: Grid, events: list[tuple], ours: set[tuple[str, int]], viewer: Membership,
                      zone: ZoneInfo) -> None:
    seen = set()
    no_title, busy_title = _("(No title)"), pgettext("calendar time", "Busy")
    for pk, owner_id, title, begin, finish, all_day, busy, uid in events:
        own = owner_id == viewer.pk
        if not own and not busy:
            continue  # a teammate's free time is not a conflict and not ours to see
        if uid:
            if (uid, owner_id) in ours:
                continue
            key = (owner_id, uid, begin, finish)
            if key in seen:
                continue  # the same meeting seen through two of the person's connected calendars
            seen.add(key)
        title = (title or no_title) if own else busy_title
        start, end = datetime.fromtimestamp(begin, zone), datetime.fromtimestamp(finish, zone)
        for day, piece_start, piece_end in split_by_day(start, end, zone):
            person_day = grid.get((owner_id, day))
            if person_day is None:
                continue
            if all_day:
                person_day.all_day.append(AllDayItem(title=title, own=own, busy=busy))
            else:
                person_day.blocks.append(Block(
                    title=title, start=piece_start, end=piece_end, busy=busy, own=own, source_id=pk,
                ))


def _interviews_into_week(*, grid: Grid, interviews: list[Interview], people: dict[int, set[int]],
                          shown: list[Membership], viewer: Membership, zone: ZoneInfo,
                          interview_url: Callable[[int], str]) -> None:
    """Interviews scheduled here, also for people whose calendar is not connected: linked to their page, with their
    title, for a viewer who may open them (recruiters, and the people taking part); "Interview" to anyone else."""
    hidden_title = pgettext("an event", "Interview")
    for interview in interviews:
        visible = viewer.can_recruit or viewer.pk in people[interview.pk]
        title, url = (interview.title, interview_url(interview.pk)) if visible else (hidden_title, "")
        for member in shown:
            if member.pk not in people[interview.pk]:
                continue
            for day, piece_start, piece_end in split_by_day(interview.start, interview.end, zone):
                if (member.pk, day) in grid:
                    grid[(member.pk, day)].blocks.append(Block(
                        title=title, start=piece_start, end=piece_end, busy=True, own=member.pk == viewer.pk,
                        source_id=interview.pk, kind="interview", url=url,
                    ))
