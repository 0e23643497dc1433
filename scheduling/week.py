"""The week page's picture: the synced calendar events of the shown people and the interviews scheduled here.

It lives in scheduling because it is the app that knows both: calendars knows only the synced events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars.selectors import WindowEvent, events_for_members
from recruitee.tenancy.models import Membership

from .selectors import interviews_for_members
from .week_layout import AllDayItem, Block, PersonDay, finish_day, split_by_day, week_start

Grid = dict[tuple[int, date], PersonDay]


@dataclass(frozen=True)
class Week:
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
        return today, "Enter a date like 2027-03-29. Showing this week instead."
    # The week around the day, in any zone, must stay inside what `date` and `datetime` can hold.
    if not date(1, 1, 10) <= day <= date(9999, 12, 20):
        return today, "That date is too far away to show. Showing this week instead."
    return day, ""


def week_grid(*, week: Week, shown: list[Membership], viewer: Membership, zone: ZoneInfo) -> Grid:
    """Each shown person's days: their synced events and the interviews they take part in, laid out in lanes.

    Three reads, each bounded by the week: the shown people's calendars, their events, the interviews (with their
    participants); everything else is worked out here, once, so the template only prints."""
    grid: Grid = {(person.pk, day): PersonDay() for person in shown for day in week.days}
    events = events_for_members(members=shown, start=week.start, end=week.end)
    _events_into_week(grid=grid, events=events, viewer=viewer, zone=zone)
    _interviews_into_week(grid=grid, events=events, shown=shown, viewer=viewer, week=week, zone=zone)
    for person_day in grid.values():
        finish_day(person_day)
    return grid


def _events_into_week(*, grid: Grid, events: list[WindowEvent], viewer: Membership, zone: ZoneInfo) -> None:
    for event in events:
        owner_id = event.member_id
        own = owner_id == viewer.pk
        if not own and not event.is_busy:
            continue  # a teammate's free time is not a conflict and not ours to see
        title = event.display_title if own else "Busy"
        for day, piece_start, piece_end in split_by_day(event.start, event.end, zone):
            person_day = grid.get((owner_id, day))
            if person_day is None:
                continue
            if event.all_day:
                person_day.all_day.append(AllDayItem(title=title, own=own, busy=event.is_busy))
            else:
                person_day.blocks.append(Block(
                    title=title, start=piece_start, end=piece_end, busy=event.is_busy, own=own, source_id=event.pk,
                ))


def _interviews_into_week(*, grid: Grid, events: list[WindowEvent], shown: list[Membership], viewer: Membership,
                          week: Week, zone: ZoneInfo) -> None:
    """Interviews scheduled here show too, also for people whose calendar is not connected; unless the person's
    synced calendar has the event this week (the calendar channel puts it there with our UID: one interview shows
    once). That is known from the week's events already read: no lookup by UID."""
    interviews = list(interviews_for_members(members=shown, start=week.start, end=week.end))
    if not interviews:
        return
    synced = {(event.ical_uid, event.member_id) for event in events}
    for interview in interviews:
        people = {p.member_id for p in interview.participants.all()} | {interview.organizer_id}
        for member in shown:
            if member.pk not in people or (interview.ical_uid, member.pk) in synced:
                continue
            own = member.pk == viewer.pk
            for day, piece_start, piece_end in split_by_day(interview.start, interview.end, zone):
                if (member.pk, day) in grid:
                    grid[(member.pk, day)].blocks.append(Block(
                        title=interview.title if own else "Busy", start=piece_start, end=piece_end, busy=True,
                        own=own, source_id=interview.pk,
                    ))
