"""The Find time grid: for one day, each person's busy times, interviews and working hours, and the conflicts of a
proposed time. Busy only: free (transparent) events are no conflict, and a teammate's titles stay theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from calendars.selectors import events_for_members, members_with_calendars
from recruitee.tenancy.models import Membership

from .models import Interview
from .selectors import interviews_for_members

SLOT_MINUTES = 15
FIRST_HOUR, LAST_HOUR = 7, 21  # the grid's window, in the event's zone
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES


@dataclass
class Span:
    start: datetime  # in the grid's zone
    end: datetime
    label: str
    kind: str  # "busy", "interview", "work", "proposed"

    def _slot(self, moment: datetime) -> int:
        minutes = (moment - moment.replace(hour=FIRST_HOUR, minute=0, second=0, microsecond=0)).total_seconds() / 60
        return int(minutes // SLOT_MINUTES)

    @property
    def left(self) -> int:
        return max(0, min(SLOTS - 1, self._slot(self.start)))

    @property
    def width(self) -> int:
        minutes = (self.end - self.start).total_seconds() / 60
        end_slot = self.left + max(1, -(-int(minutes) // SLOT_MINUTES))
        return max(1, min(SLOTS, end_slot) - self.left)

    # What the template prints as it is (no filters per span): classes, tooltip, the text inside.
    @property
    def css(self) -> str:
        return f"ft-span ft-{self.kind} ft-l-{self.left} ft-w-{self.width}"

    @property
    def tip(self) -> str:
        return f"{self.label} · {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def text(self) -> str:
        return "" if self.kind == "work" else self.label


@dataclass
class Row:
    member: Membership
    is_organizer: bool
    connected: bool
    zone: str
    spans: list[Span] = field(default_factory=list)


@dataclass
class Slot:
    at: time
    free: bool  # nobody whose calendar we know is busy, and inside everyone's working hours
    label: str

    @property
    def css(self) -> str:
        return "ft-slot ft-slot-free" if self.free else "ft-slot"

    @property
    def tip(self) -> str:
        return f"{self.label} · free for everyone" if self.free else f"{self.label} · someone is busy or off"

    @property
    def aria(self) -> str:
        return f"Start at {self.label}" if self.free else f"Start at {self.label} (conflict)"


@dataclass
class Grid:
    day: date
    zone: str
    rows: list[Row]
    slots: list[Slot]
    hours: list[int]


def _window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(FIRST_HOUR), tzinfo=zone), datetime.combine(day, time(LAST_HOUR), tzinfo=zone))


def people_of(organizer: Membership, interviewers: list[Membership]) -> list[Membership]:
    seen, people = set(), []
    for member in [organizer, *interviewers]:
        if member.pk not in seen:
            seen.add(member.pk)
            people.append(member)
    return people


@dataclass
class Availability:
    """What is known of the people's time in one window, read once (events, interviews, connections) and shared by
    the grid and the conflict check: busy spans per person, whole (not cut to the window), and who is connected."""

    start: datetime
    end: datetime
    busy: dict[int, list[Span]]
    connected: set[int]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def busy_during(self, person_id: int, start: datetime, end: datetime) -> list[Span]:
        return [span for span in self.busy[person_id] if span.start < end and span.end > start]


def availability(*, viewer: Membership, people: list[Membership], start: datetime, end: datetime, zone: ZoneInfo,
                 exclude: Interview | None = None) -> Availability:
    """Everyone's busy times overlapping [start, end): four queries, bounded by the window, whatever its people."""
    found: dict[int, list[Span]] = {person.pk: [] for person in people}
    interviews = [interview for interview in interviews_for_members(members=people, start=start, end=end)
                  if exclude is None or interview.pk != exclude.pk]
    # Our own interviews are shown once, from our rows (the excluded one, being rescheduled, not at all).
    ours = {interview.ical_uid for interview in interviews} | ({exclude.ical_uid} if exclude else set())
    for event in events_for_members(members=people, start=start, end=end):
        if not event.is_busy or event.ical_uid in ours:
            continue  # free time is no conflict
        label = event.display_title if event.member_id == viewer.pk else "Busy"
        if event.all_day:
            label = f"{label} (all day)"
        found[event.member_id].append(Span(event.start.astimezone(zone), event.end.astimezone(zone), label, "busy"))
    for interview in interviews:
        members = {p.member_id for p in interview.participants.all()} | {interview.organizer_id}
        for person in people:
            if person.pk in members:
                found[person.pk].append(Span(interview.start.astimezone(zone), interview.end.astimezone(zone),
                                             interview.title, "interview"))
    return Availability(start=start, end=end, busy=found, connected=members_with_calendars(members=people))


def _known(known: Availability | None, *, viewer: Membership, people: list[Membership], start: datetime,
           end: datetime, zone: ZoneInfo, exclude: Interview | None) -> Availability:
    if known is not None and known.covers(start, end) and all(person.pk in known.busy for person in people):
        return known
    return availability(viewer=viewer, people=people, start=start, end=end, zone=zone, exclude=exclude)


def grid_window(day: date, zone_name: str, proposed: tuple[datetime, datetime] | None = None
                ) -> tuple[datetime, datetime]:
    """The day's grid, widened to the proposed time if it lies outside: one read serves the grid and its conflicts."""
    start, end = _window(day, ZoneInfo(zone_name))
    if proposed is not None:
        start, end = min(start, proposed[0]), max(end, proposed[1])
    return start, end


def working_hours(member: Membership, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The member's own working hours (their days and times, in their zone) on `day`, in the grid's `zone`.

    On a day they do not work the span is empty (start == end): nothing counts as inside it, so the whole day is
    shaded and any time is "outside working hours"."""
    person_zone = ZoneInfo(member.user.time_zone or member.company.time_zone or "UTC")
    # The working day in the person's zone that overlaps the grid's day most: the same calendar date.
    start = datetime.combine(day, member.work_start, tzinfo=person_zone).astimezone(zone)
    if day.isoweekday() not in member.working_weekdays:
        return start, start
    end = datetime.combine(day, member.work_end, tzinfo=person_zone).astimezone(zone)
    return start, end


def find_time(*, viewer: Membership, organizer: Membership, interviewers: list[Membership], day: date,
              zone_name: str, proposed: tuple[datetime, datetime] | None = None,
              duration: timedelta = timedelta(hours=1), exclude: Interview | None = None,
              known: Availability | None = None) -> Grid:
    """The day's grid; from `known` when it covers the day (see grid_window), else read for the day alone."""
    zone = ZoneInfo(zone_name)
    start, end = _window(day, zone)
    people = people_of(organizer, interviewers)
    known = _known(known, viewer=viewer, people=people, start=start, end=end, zone=zone, exclude=exclude)
    busy = {person.pk: known.busy_during(person.pk, start, end) for person in people}
    connected = known.connected
    rows = []
    work: dict[int, tuple[datetime, datetime]] = {}
    for person in people:
        row = Row(member=person, is_organizer=person.pk == organizer.pk, connected=person.pk in connected,
                  zone=person.user.time_zone or person.company.time_zone)
        work_start, work_end = working_hours(person, day, zone)
        work[person.pk] = (work_start, work_end)
        if work_start < work_end and work_start < end and work_end > start:  # none on a day off
            row.spans.append(Span(max(work_start, start), min(work_end, end), "Working hours", "work"))
        row.spans.extend(
            Span(max(span.start, start), min(span.end, end), span.label, span.kind)
            for span in sorted(busy[person.pk], key=lambda s: s.start)
        )
        if proposed and proposed[0] < end and proposed[1] > start:
            row.spans.append(Span(max(proposed[0], start).astimezone(zone), min(proposed[1], end).astimezone(zone),
                                  "Proposed time", "proposed"))
        rows.append(row)

    slots = []
    cursor = start
    while cursor < end:
        # Free means the whole event fits from here: nobody busy and everyone inside their working hours.
        slot_end = cursor + duration
        free = all(
            not any(s.start < slot_end and s.end > cursor for s in busy[p.pk])
            and work[p.pk][0] <= cursor and slot_end <= work[p.pk][1]
            for p in people
        )
        slots.append(Slot(at=cursor.time(), free=free, label=f"{cursor:%H:%M}"))
        cursor += timedelta(minutes=30)
    return Grid(day=day, zone=zone_name, rows=rows, slots=slots, hours=list(range(FIRST_HOUR, LAST_HOUR)))


def conflicts(*, viewer: Membership, organizer: Membership, interviewers: list[Membership], start: datetime,
              end: datetime, zone_name: str, exclude: Interview | None = None,
              known: Availability | None = None) -> list[str]:
    """"Dana Scott is busy 14:00–15:00" for everyone busy during [start, end), times in the event's zone; and who
    cannot be checked because no calendar of theirs is connected. From `known` (the grid's) when it covers them."""
    zone = ZoneInfo(zone_name)
    people = people_of(organizer, interviewers)
    known = _known(known, viewer=viewer, people=people, start=start, end=end, zone=zone, exclude=exclude)
    connected = known.connected
    warnings = []
    for person in people:
        name = "You are" if person.pk == viewer.pk else f"{person.user.display_name} is"
        for span in known.busy_during(person.pk, start, end):
            what = f" ({span.label})" if span.kind == "interview" or person.pk == viewer.pk else ""
            warnings.append(f"{name} busy {span.start:%H:%M}–{span.end:%H:%M}{what}.")
        work_start, work_end = working_hours(person, start.astimezone(zone).date(), zone)
        if start < work_start or end > work_end:
            local = ZoneInfo(person.user.time_zone or person.company.time_zone)
            whose = "your" if person.pk == viewer.pk else f"{person.user.display_name}’s"
            warnings.append(f"Outside {whose} working hours ({start.astimezone(local):%H:%M} in {local.key}).")
    for person in people:
        if person.pk not in connected:
            label = "Your" if person.pk == viewer.pk else f"{person.user.display_name}’s"
            warnings.append(f"{label} availability is unknown: no calendar connected.")
    return warnings
