"""Find time: over a range of days, each person's busy times, interviews and working hours (their days and times, in
their own zone), the first times everyone is free ("Suggested times"), and the conflicts of a proposed time in words
a recruiter reads. Busy only: free (transparent) events are no conflict, and a teammate's titles stay theirs.

One read of everyone's calendars (availability()) serves the grid, the suggestions and the heads-up."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from calendars.selectors import members_with_calendars
from recruitee.tenancy.models import Membership
from recruitee.zones import zone_or_utc

from .event_reads import busy_events
from .models import Interview
from .selectors import interviews_for_members

SLOT_MINUTES = 15
FIRST_HOUR, LAST_HOUR = 7, 21  # each day's window, in the event's zone
SLOTS = (LAST_HOUR - FIRST_HOUR) * 60 // SLOT_MINUTES
STEP_MINUTES = 30  # the start times offered
RANGE_DAYS = 5  # days shown: the chosen one and the next days anyone works
SUGGESTIONS = 5
LOOKAHEAD = 21  # days searched for working days (a team that works one day a week still gets a range)


def _formatted(value: date | datetime, format_string: str) -> str:
    """A date in the active language's names (Django's, never the process locale's strftime)."""
    return dateformat.format(value, format_string)


def short_day(day: date) -> str:
    """"Wed 12 Jun", "Mi., 12. Juni": in the reader's language."""
    # Translators: a Django date format (https://docs.djangoproject.com/en/stable/ref/templates/builtins/#date),
    # for a day in Find time: "Wed 12 Jun".
    return _formatted(day, pgettext("date format", "D j M"))


def time_range(start: str, end: str) -> str:
    """"14:00–15:00" ("14:00–15:00 Uhr" in German)."""
    return pgettext("time range", "%(start)s–%(end)s") % {"start": start, "end": end}


@dataclass(slots=True)
class Span:
    """Something drawn on one person's track of one day, cut to the day's window: its place in quarter-hour slots
    from 07:00, and its times as the clock on the wall reads them."""

    left: int
    width: int
    times: str  # "14:00–15:00"
    label: str
    kind: str  # "busy", "interview", "work", "off", "proposed"
    note: str = ""  # the tooltip, when the label and times alone do not say it

    @property
    def css(self) -> str:
        return f"ft-span ft-{self.kind} ft-l-{self.left} ft-w-{self.width}"

    @property
    def tip(self) -> str:
        return self.note or f"{self.label} · {self.times}"

    @property
    def text(self) -> str:
        return "" if self.kind == "work" else self.label


def _clock(minutes: int) -> str:
    """Minutes since the window's 07:00 as a time of day. Counted, not converted: a few hundred spans a page, and
    no zone moves its clocks between 07:00 and 21:00."""
    hours, rest = divmod(FIRST_HOUR * 60 + minutes, 60)
    return f"{hours % 24:02d}:{rest:02d}"


def _span(begin: float, finish: float, day: float, label: str, kind: str, note: str = "") -> Span:
    """A span from `begin` to `finish` (timestamps inside the window that opens at `day`)."""
    start, end = int((begin - day) // 60), int(-((day - finish) // 60))
    left = max(0, min(SLOTS - 1, start // SLOT_MINUTES))
    width = max(1, min(SLOTS, left + max(1, -(-(end - start) // SLOT_MINUTES))) - left)
    return Span(left, width, f"{_clock(start)}–{_clock(end)}", label, kind, note)


@dataclass(slots=True)
class Busy:
    """One busy time of one person, whole (not cut to any window), as timestamps: the grid compares them often."""

    s: float
    e: float
    label: str  # the title for its owner and for interviews, "Busy" for a teammate's event
    kind: str  # "busy" or "interview"
    days: tuple[date, date] | None = None  # an all-day event's first and last day (inclusive)

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.s, UTC)

    @property
    def end(self) -> datetime:
        return datetime.fromtimestamp(self.e, UTC)


@dataclass
class Row:
    member: Membership
    is_organizer: bool
    connected: bool
    zone: str
    spans: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class Slot:
    day: date
    free: bool  # in the future, nobody whose calendar we know is busy, and inside everyone's working hours
    label: str  # "14:00"

    @property
    def css(self) -> str:
        return "ft-slot ft-slot-free" if self.free else "ft-slot"


@dataclass
class Day:
    day: date
    rows: list[Row]
    slots: list[Slot]
    markup: str = ""  # the day as HTML (find_time_layout.finish_grid)

    @property
    def label(self) -> str:
        return short_day(self.day)


@dataclass(frozen=True, slots=True)
class Suggestion:
    start: datetime  # in the grid's zone
    end: datetime
    chosen: bool  # the time step 1 holds now

    @property
    def label(self) -> str:
        return pgettext("day and time range", "%(day)s, %(start)s–%(end)s") % {
            "day": short_day(self.start.date()), "start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}"}

    @property
    def value(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%M}"


@dataclass
class Grid:
    days: list[Day]
    zone: str
    hours: list[int]
    suggestions: list[Suggestion]
    duration: timedelta
    unknown: list[Membership]  # people whose calendars are not connected: their busy times are not known

    @property
    def first_day(self) -> date:
        return self.days[0].day

    @property
    def last_day(self) -> date:
        return self.days[-1].day

    @property
    def range_label(self) -> str:
        return f"{self.days[0].label} – {self.days[-1].label}" if len(self.days) > 1 else self.days[0].label

    @property
    def later(self) -> date:
        """Where "Later days" starts the range: after the last day shown."""
        return self.days[-1].day + timedelta(days=1)

    @property
    def duration_label(self) -> str:
        minutes = int(self.duration.total_seconds() // 60)
        hours, rest = divmod(minutes, 60)
        if not hours:
            return ngettext("%(num)d minute", "%(num)d minutes", rest) % {"num": rest}
        if rest:
            return pgettext("duration", "%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
        return ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}


def people_of(organizer: Membership, interviewers: list[Membership]) -> list[Membership]:
    seen, people = set(), []
    for member in [organizer, *interviewers]:
        if member.pk not in seen:
            seen.add(member.pk)
            people.append(member)
    return people


def person_zone(member: Membership) -> ZoneInfo:
    return zone_or_utc(member.user.time_zone or member.company.time_zone or "UTC")


def _all_day_dates(start: float, end: float, zone: ZoneInfo) -> tuple[date, date]:
    """An all-day event's days. It is stored as midnights of the zone it was made in, nearly always its owner's: the
    midnight nearest to its start in the owner's zone names the first day even when the two zones differ by hours."""
    first = (datetime.fromtimestamp(start, zone) + timedelta(hours=12)).date()
    count = max(1, round((end - start) / 86400))
    return first, first + timedelta(days=count - 1)


@dataclass
class Availability:
    """What is known of the people's time in one window, read once (events, interviews, connections) and shared by
    the grid, the suggestions and the conflict check: busy times per person, whole and in time order, and who is
    connected."""

    start: datetime
    end: datetime
    busy: dict[int, list[Busy]]
    connected: set[int]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def busy_during(self, person_id: int, start: datetime, end: datetime) -> list[Busy]:
        begin, finish = start.timestamp(), end.timestamp()
        return [span for span in self.busy[person_id] if span.s < finish and span.e > begin]


def availability(*, viewer: Membership, people: list[Membership], start: datetime, end: datetime,
                 exclude: Interview | None = None) -> Availability:
    """Everyone's busy times overlapping [start, end): five queries, bounded by the window, whatever its people."""
    found: dict[int, list[Busy]] = {person.pk: [] for person in people}
    zones = {person.pk: person_zone(person) for person in people}
    interviews = [interview for interview in interviews_for_members(members=people, start=start, end=end)
                  if exclude is None or interview.pk != exclude.pk]
    # Our own interviews are shown once, from our rows (the excluded one, being rescheduled, not at all).
    ours = {interview.ical_uid for interview in interviews} | ({exclude.ical_uid} if exclude else set())
    seen = set()
    no_title, busy_label = _("(No title)"), pgettext("calendar time", "Busy")
    for member_id, title, begin, finish, all_day, uid in busy_events(members=people, start=start, end=end):
        if uid:
            if uid in ours:
                continue
            key = (member_id, uid, begin, finish)
            if key in seen:
                continue  # the same meeting seen through two of the person's connected calendars
            seen.add(key)
        label = (title or no_title) if member_id == viewer.pk else busy_label
        days = _all_day_dates(begin, finish, zones[member_id]) if all_day else None
        found[member_id].append(Busy(begin, finish, label, "busy", days))
    for interview in interviews:
        members = {p.member_id for p in interview.participants.all()} | {interview.organizer_id}
        for person in people:
            if person.pk in members:
                found[person.pk].append(Busy(interview.start.timestamp(), interview.end.timestamp(),
                                             interview.title, "interview"))
    for spans in found.values():
        spans.sort(key=lambda span: (span.s, span.e))
    return Availability(start=start, end=end, busy=found, connected=members_with_calendars(members=people))


def _known(known: Availability | None, *, viewer: Membership, people: list[Membership], start: datetime,
           end: datetime, exclude: Interview | None) -> Availability:
    if known is not None and known.covers(start, end) and all(person.pk in known.busy for person in people):
        return known
    return availability(viewer=viewer, people=people, start=start, end=end, exclude=exclude)


def _window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(day, time(FIRST_HOUR), tzinfo=zone), datetime.combine(day, time(LAST_HOUR), tzinfo=zone))


def work_intervals(member: Membership, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The member's working hours that overlap [start, end), as instants in time order: their days and times in
    their own zone, so a New York nine-to-five is 15:00–21:00 in Berlin, and every date keeps its own offset
    across a change of summer time."""
    zone = person_zone(member)
    weekdays = member.working_weekdays
    day, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date()
    found = []
    while day <= last:
        if day.isoweekday() in weekdays:
            begin = datetime.combine(day, member.work_start, tzinfo=zone)
            finish = datetime.combine(day, member.work_end, tzinfo=zone)
            if begin < end and finish > start:
                found.append((begin, finish))
        day += timedelta(days=1)
    return found


def working_hours(member: Membership, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The member's working hours on their own calendar date `day`, in `zone`; on a day they do not work the span is
    empty (start == end)."""
    person = person_zone(member)
    start = datetime.combine(day, member.work_start, tzinfo=person).astimezone(zone)
    if day.isoweekday() not in member.working_weekdays:
        return start, start
    return start, datetime.combine(day, member.work_end, tzinfo=person).astimezone(zone)


def _inside(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(begin <= start and end <= finish for begin, finish in intervals)


def range_days(first: date, people: list[Membership], zone_name: str, count: int = RANGE_DAYS) -> list[date]:
    """The days Find time shows: the chosen one, then the next days on which anyone works (a weekend the whole team
    has off is skipped), `count` in all."""
    zone = ZoneInfo(zone_name)
    start, end = _window(first, zone)[0], _window(first + timedelta(days=LOOKAHEAD), zone)[1]
    work = [interval for person in people for interval in work_intervals(person, start, end)]
    days, day = [first], first
    while len(days) < count and day < first + timedelta(days=LOOKAHEAD):
        day += timedelta(days=1)
        day_start, day_end = _window(day, zone)
        if any(begin < day_end and finish > day_start for begin, finish in work):
            days.append(day)
    return days


def grid_window(days: list[date], zone_name: str, proposed: tuple[datetime, datetime] | None = None
                ) -> tuple[datetime, datetime]:
    """The range's window, widened to the proposed time if it lies outside: one read serves the grid, the
    suggestions and the conflicts."""
    zone = ZoneInfo(zone_name)
    start, end = _window(days[0], zone)[0], _window(days[-1], zone)[1]
    if proposed is not None:
        start, end = min(start, proposed[0]), max(end, proposed[1])
    return start, end


class _Time:
    """One person's time as sorted timestamps: merged busy intervals and working intervals, each checked with one
    bisection per question, whatever the number of events."""

    def __init__(self, busy: list[Busy], work: list[tuple[datetime, datetime]]) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        for span in busy:  # already in time order
            begin, finish = span.s, span.e
            if self.ends and begin <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], finish)
            else:
                self.starts.append(begin)
                self.ends.append(finish)
        self.work_starts = [begin.timestamp() for begin, _ in work]
        self.work_ends = [finish.timestamp() for _, finish in work]

    def free(self, start: float, end: float) -> bool:
        at = bisect_right(self.work_starts, start) - 1
        if at < 0 or self.work_ends[at] < end:
            return False  # not wholly inside one stretch of working hours
        at = bisect_right(self.ends, start)  # the first busy time that ends after `start`
        return at == len(self.starts) or self.starts[at] >= end


def _person_row(person: Membership, *, viewer: Membership, organizer: Membership, connected: set[int],
                busy: list[Busy], work: list[tuple[float, float]], day: date, day_start: float, day_end: float,
                proposed: tuple[float, float] | None) -> Row:
    """One person's track of one day (timestamps; `day_start` is its 07:00): the time outside their working hours
    (hatched, and labelled "Off"), their busy times and interviews, and the proposed time."""
    row = Row(member=person, is_organizer=person.pk == organizer.pk, connected=person.pk in connected,
              zone=person.user.time_zone or person.company.time_zone)
    spans = row.spans
    own = person.pk == viewer.pk
    name = person.user.display_name
    off = pgettext("outside working hours", "Off")
    cursor = day_start
    for begin, finish in work:
        begin, finish = max(begin, day_start), min(finish, day_end)
        if begin >= finish:
            continue
        if cursor < begin:
            spans.append(_span(cursor, begin, day_start, off, "off"))
        spans.append(_span(begin, finish, day_start, _("Working hours"), "work"))
        cursor = finish
    if cursor == day_start:
        note = (_("Not one of your working days (%(day)s)") if own
                else _("Not one of %(name)s’s working days (%(day)s)")) % {"name": name, "day": short_day(day)}
        spans.append(_span(day_start, day_end, day_start, _("Not a working day"), "off", note))
    elif cursor < day_end:
        spans.append(_span(cursor, day_end, day_start, off, "off"))
    outside = (_("Outside your working hours · %(times)s") if own
               else _("Outside %(name)s’s working hours · %(times)s"))
    for span in spans:
        if span.kind == "off" and not span.note:
            span.note = outside % {"name": name, "times": span.times}
    # A teammate's busy times carry no titles: overlapping ones are drawn as one ("Busy · 09:00–12:30"), which reads
    # better than a pile and keeps a busy week's markup small.
    merged: list[float] | None = None
    teammate = not own
    busy_label = pgettext("calendar time", "Busy")
    for span in busy:  # in time order
        if span.s >= day_end:
            break
        if span.e <= day_start:
            continue
        begin, finish = max(span.s, day_start), min(span.e, day_end)
        if teammate and span.kind == "busy" and not span.days:
            if merged is not None and begin <= merged[1]:
                merged[1] = max(merged[1], finish)
                continue
            if merged is not None:
                spans.append(_span(merged[0], merged[1], day_start, busy_label, "busy"))
            merged = [begin, finish]
        elif span.days:
            spans.append(_span(begin, finish, day_start, _("%(title)s (all day)") % {"title": span.label},
                               span.kind, _("%(title)s · all day") % {"title": span.label}))
        else:
            spans.append(_span(begin, finish, day_start, span.label, span.kind))
    if merged is not None:
        spans.append(_span(merged[0], merged[1], day_start, busy_label, "busy"))
    if proposed and proposed[0] < day_end and proposed[1] > day_start:
        spans.append(_span(max(proposed[0], day_start), min(proposed[1], day_end), day_start, _("Proposed time"),
                           "proposed"))
    return row


def find_time(*, viewer: Membership, organizer: Membership, interviewers: list[Membership], days: list[date],
              zone_name: str, now: datetime, proposed: tuple[datetime, datetime] | None = None,
              duration: timedelta = timedelta(hours=1), exclude: Interview | None = None,
              known: Availability | None = None) -> Grid:
    """The range's grid and suggested times; from `known` when it covers the days (see grid_window)."""
    zone = ZoneInfo(zone_name)
    start, end = grid_window(days, zone_name)
    people = people_of(organizer, interviewers)
    known = _known(known, viewer=viewer, people=people, start=start, end=end, exclude=exclude)
    # Working hours a little beyond the window, so an event that runs past 21:00 is still checked against them.
    work = {person.pk: work_intervals(person, start, end + duration) for person in people}
    times = [_Time(known.busy[person.pk], work[person.pk]) for person in people]
    work_at = {person.pk: [(begin.timestamp(), finish.timestamp()) for begin, finish in work[person.pk]]
               for person in people}
    seconds, not_before = duration.total_seconds(), now.timestamp()
    proposed_at = (proposed[0].timestamp(), proposed[1].timestamp()) if proposed else None
    chosen = proposed_at[0] if proposed_at else None
    grid_days, suggestions, taken_until = [], [], 0.0
    for day in days:
        day_start, day_end = _window(day, zone)
        rows = [_person_row(person, viewer=viewer, organizer=organizer, connected=known.connected,
                            busy=known.busy[person.pk], work=work_at[person.pk], day=day,
                            day_start=day_start.timestamp(), day_end=day_end.timestamp(), proposed=proposed_at)
                for person in people]
        slots, opens = [], day_start.timestamp()
        for index in range((LAST_HOUR - FIRST_HOUR) * 60 // STEP_MINUTES):
            at = opens + index * STEP_MINUTES * 60
            free = at >= not_before and all(person_time.free(at, at + seconds) for person_time in times)
            slots.append(Slot(day=day, free=free, label=_clock(index * STEP_MINUTES)))
            # The first few times that do not overlap each other: five real choices, not five starts of one gap.
            if free and len(suggestions) < SUGGESTIONS and at >= taken_until:
                suggestions.append(Suggestion(datetime.fromtimestamp(at, zone),
                                              datetime.fromtimestamp(at + seconds, zone), at == chosen))
                taken_until = at + seconds
        grid_days.append(Day(day=day, rows=rows, slots=slots))
    return Grid(days=grid_days, zone=zone_name, hours=list(range(FIRST_HOUR, LAST_HOUR)), suggestions=suggestions,
                duration=duration, unknown=[person for person in people if person.pk not in known.connected])


# --- the heads-up -------------------------------------------------------------------------------------------------

def _day_range(first: date, last: date) -> str:
    if (last - first).days < 7:
        # Translators: a Django date format: the weekday of a range of days, "Mon–Wed".
        weekday = pgettext("date format", "D")
        return pgettext("range of days", "%(first)s–%(last)s") % {
            "first": _formatted(first, weekday), "last": _formatted(last, weekday)}
    # Translators: a Django date format: a day in a range of days, "12 Jun".
    day_month = pgettext("date format", "j M")
    return pgettext("range of days", "%(first)s–%(last)s") % {
        "first": _formatted(first, day_month), "last": _formatted(last, day_month)}


def _when(span: Busy, zone: ZoneInfo) -> tuple[str, bool]:
    """How a busy time reads, and whether it is a time of one day ("14:00–15:00") rather than days."""
    if span.days:
        first, last = span.days
        return (_("all day") if first == last else _day_range(first, last)), False
    start, end = span.start.astimezone(zone), span.end.astimezone(zone)
    last_day = (end - timedelta(microseconds=1)).date() if end > start else start.date()
    if start.date() == last_day:
        return time_range(f"{start:%H:%M}", f"{end:%H:%M}"), True
    if (last_day - start.date()).days < 7:
        # Translators: a Django date format: a weekday and a time, "Mon 14:00".
        at = pgettext("date format", "D H:i")
    else:
        # Translators: a Django date format: a day, a month and a time, "12 Jun 14:00".
        at = pgettext("date format", "j M H:i")
    return pgettext("range of days", "%(first)s–%(last)s") % {
        "first": _formatted(start, at), "last": _formatted(end, at)}, False


def busy_words(name: str | None, span: Busy, zone: ZoneInfo, *, titled: bool) -> str:
    """"Dana Scott is busy 14:00–15:00.", "You are busy: Offsite retreat, Mon–Wed.", "Ivan is busy all day.".
    `name` None: the viewer ("You are")."""
    when, timed = _when(span, zone)
    values = {"name": name, "when": when, "title": span.label}
    if not titled:
        words = _("You are busy %(when)s.") if name is None else _("%(name)s is busy %(when)s.")
    elif timed:
        words = _("You are busy %(when)s (%(title)s).") if name is None else _("%(name)s is busy %(when)s (%(title)s).")
    else:
        words = _("You are busy: %(title)s, %(when)s.") if name is None else _("%(name)s is busy: %(title)s, %(when)s.")
    return words % values


def conflicts(*, viewer: Membership, organizer: Membership, interviewers: list[Membership], start: datetime,
              end: datetime, zone_name: str, exclude: Interview | None = None,
              known: Availability | None = None) -> list[str]:
    """"Dana Scott is busy 14:00–15:00" for everyone busy during [start, end), times in the event's zone; who would
    be outside their working hours; and who cannot be checked because no calendar of theirs is connected. From
    `known` (the grid's) when it covers them."""
    zone = ZoneInfo(zone_name)
    people = people_of(organizer, interviewers)
    known = _known(known, viewer=viewer, people=people, start=start, end=end, exclude=exclude)
    warnings: list[str] = []
    for person in people:
        name = None if person.pk == viewer.pk else person.user.display_name
        for span in known.busy_during(person.pk, start, end):
            words = busy_words(name, span, zone, titled=span.kind == "interview" or person.pk == viewer.pk)
            if words not in warnings:  # one meeting, however many calendars or copies show it
                warnings.append(words)
        if not _inside(work_intervals(person, start, end), start, end):
            local = person_zone(person)
            words = (_("Outside your working hours (%(time)s in %(zone)s).") if name is None
                     else _("Outside %(name)s’s working hours (%(time)s in %(zone)s)."))
            warnings.append(words % {"name": name, "time": f"{start.astimezone(local):%H:%M}", "zone": local.key})
    for person in people:
        if person.pk not in known.connected:
            words = (_("Your availability is unknown: no calendar connected.") if person.pk == viewer.pk
                     else _("%(name)s’s availability is unknown: no calendar connected."))
            warnings.append(words % {"name": person.user.display_name})
    return warnings
