"""Self-scheduling slots: the times a candidate may pick, as a pure function of the interviewers' busy time, working
hours, interview load and the request's rules (window, notice, buffers, duration, zone, step).

No database and no Django here: slot_inputs.py reads once and passes plain values. Instants are compared as POSIX
timestamps (floats made from the datetimes themselves, so equal instants compare equal); each person's busy time is
cut to the window, widened by the buffers, sorted and merged once, and every candidate start is then checked with two
bisections per person, whatever the number of events.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class Person:
    id: int  # Membership pk
    name: str  # display name, used in reasons
    zone: str  # IANA zone of the person: their working hours are in it
    working_weekdays: frozenset[int]  # ISO weekdays, 1 = Monday
    work_start: time
    work_end: time  # after work_start, the same day
    # Aware intervals that block (busy, not declined, not free; their existing interviews included). May overlap,
    # come unsorted, span midnight or be all-day.
    busy: tuple[tuple[datetime, datetime], ...]
    interview_starts: tuple[datetime, ...] = ()  # their existing (not cancelled) interviews, for the load
    max_per_day: int | None = None  # None: no limit
    max_per_week: int | None = None
    last_interview_at: datetime | None = None  # for pool fairness; None = never
    connected: bool = True  # has a connected calendar, so their availability is known

    def __post_init__(self) -> None:
        if not self.work_start < self.work_end:
            raise ValueError(f"{self.name}: working hours must end after they start, on the same day.")


@dataclass(frozen=True)
class Rules:
    first_day: date  # the window, inclusive, days in `zone`
    last_day: date
    zone: str  # the zone of the window's days and of the step grid
    duration: timedelta
    now: datetime  # aware
    notice: timedelta = timedelta(hours=24)  # no slot starts before now + notice
    # Each needed person must also be free this long before and after the slot. Buffers need only freedom from busy
    # time; the meeting itself must lie inside working hours.
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    step: timedelta = timedelta(minutes=30)  # starts lie on this grid, counted from midnight in `zone`


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    pool_ids: tuple[int, ...]  # the pool members who would take it, in preference order (len == pool_needed)


@dataclass
class SlotResult:
    slots: list[Slot] = field(default_factory=list)  # sorted by start
    empty_days: dict[date, list[str]] = field(default_factory=dict)  # window day without a slot -> why, briefly
    problems: list[str] = field(default_factory=list)  # what is wrong with the request as a whole


# How far one person got with one candidate time; a person's best over a day explains an empty day.
_OFF_HOURS, _WEEK_LIMIT, _DAY_LIMIT, _BUSY, _FREE = range(5)


class _Availability:
    """One person's time, prepared for the instants [lo, hi): working hours and merged busy time (widened by the
    buffers) as sorted timestamps, and interview counts per day and ISO week in their zone."""

    def __init__(self, person: Person, *, lo: datetime, hi: datetime, rules: Rules,
                 extra_starts: Sequence[datetime] = ()) -> None:
        self.person = person
        self.zone = ZoneInfo(person.zone)
        before, after = rules.buffer_before, rules.buffer_after
        # A busy [b0, b1) blocks [s, e) when b0 < e + after and b1 > s - before: widened to [b0 - after,
        # b1 + before) it is plain overlap. Only intervals that can touch a meeting inside [lo, hi) are kept, merged
        # while still datetimes (two widened intervals overlap when the gap between them is under the buffers), and
        # only the merged ones become timestamps.
        keep_before, keep_after, gap = hi + after, lo - before, before + after
        kept = [interval for interval in person.busy
                if interval[0] < keep_before and interval[1] > keep_after and interval[0] < interval[1]]
        kept.sort(key=itemgetter(0))
        starts: list[datetime] = []
        ends: list[datetime] = []
        if kept:
            start, end = kept[0]
            reach = end + gap
            for b0, b1 in kept:
                if b0 > reach:
                    starts.append(start)
                    ends.append(end)
                    start, end, reach = b0, b1, b1 + gap
                elif b1 > end:
                    end, reach = b1, b1 + gap
            starts.append(start)
            ends.append(end)
        self.busy_starts = [(b0 - after).timestamp() for b0 in starts]
        self.busy_ends = [(b1 + before).timestamp() for b1 in ends]

        # Working hours per calendar day in their own zone, a day either side of the span (zones differ by < 26 h).
        self.work_starts: list[float] = []
        self.work_ends: list[float] = []
        day, last = lo.astimezone(self.zone).date() - timedelta(days=1), hi.astimezone(self.zone).date()
        while day <= last:
            if day.isoweekday() in person.working_weekdays:
                # A wall time the clocks skip comes out an hour later (fold=0): hours at 02:30 are rare enough.
                start = datetime.combine(day, person.work_start, tzinfo=self.zone).timestamp()
                end = datetime.combine(day, person.work_end, tzinfo=self.zone).timestamp()
                if start < end:
                    self.work_starts.append(start)
                    self.work_ends.append(end)
            day += timedelta(days=1)

        self.limited = person.max_per_day is not None or person.max_per_week is not None
        self.per_day: Counter[date] = Counter()
        self.per_week: Counter[tuple[int, int]] = Counter()
        for start in (*person.interview_starts, *extra_starts):
            local = start.astimezone(self.zone)
            self.per_day[local.date()] += 1
            self.per_week[_iso_week(local)] += 1
        self.last_key = float("-inf") if person.last_interview_at is None else person.last_interview_at.timestamp()

    def status(self, start: datetime, s: float, e: float) -> int:
        """How far the meeting [s, e) (timestamps; `start` the same instant as s) gets: _FREE when it can be had."""
        if not self.in_hours(s, e):
            return _OFF_HOURS
        if self.limited:
            local = start.astimezone(self.zone)
            limit = self.person.max_per_week
            if limit is not None and self.per_week[_iso_week(local)] >= limit:
                return _WEEK_LIMIT
            limit = self.person.max_per_day
            if limit is not None and self.per_day[local.date()] >= limit:
                return _DAY_LIMIT
        # Merged intervals have increasing ends too: the last one starting before e is the only one to check.
        i = bisect_left(self.busy_starts, e) - 1
        if i >= 0 and self.busy_ends[i] > s:
            return _BUSY
        return _FREE

    def in_hours(self, s: float, e: float) -> bool:
        i = bisect_right(self.work_starts, s) - 1
        return i >= 0 and e <= self.work_ends[i]

    def works_between(self, s: float, e: float) -> bool:
        i = bisect_left(self.work_starts, e) - 1
        return i >= 0 and self.work_ends[i] > s

    def fairness(self, start: datetime) -> tuple[int, float, int]:
        """Smaller is preferred: fewest interviews in that ISO week, then the longest ago, then the lowest id."""
        return self.per_week[_iso_week(start.astimezone(self.zone))], self.last_key, self.person.id


def _iso_week(local: datetime) -> tuple[int, int]:
    iso = local.isocalendar()
    return iso.year, iso.week


def _unique(people: Iterable[Person], leave_out: Iterable[int] = ()) -> list[Person]:
    seen, found = set(leave_out), []
    for person in people:
        if person.id not in seen:
            seen.add(person.id)
            found.append(person)
    return found


def _check(rules: Rules, pool_needed: int) -> None:
    if rules.now.tzinfo is None or rules.now.utcoffset() is None:
        raise ValueError("`now` must be an aware datetime.")
    if rules.duration <= timedelta(0) or rules.step <= timedelta(0):
        raise ValueError("The duration and the step must be positive.")
    if min(rules.notice, rules.buffer_before, rules.buffer_after) < timedelta(0):
        raise ValueError("The notice and the buffers cannot be negative.")
    if rules.first_day > rules.last_day:
        raise ValueError("The window's first day is after its last day.")
    if pool_needed < 0:
        raise ValueError("pool_needed cannot be negative.")


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    # Midnight with fold=0: on a night the clocks skip midnight this is the first instant of the day all the same.
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _starts(day: date, zone: ZoneInfo, step: timedelta) -> list[datetime]:
    """The day's wall-clock times on the step grid, in UTC: a time the clocks skip is left out, a repeated one is
    taken once, at its first occurrence."""
    found = []
    wall = datetime.combine(day, time(0))
    while wall.date() == day:
        instant = wall.replace(tzinfo=zone).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:  # else skipped: it comes back an hour off
            found.append(instant)
        wall += step  # naive: a step of wall-clock time
    return found


def _duration_words(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    if minutes == 60:
        return gettext("hour")
    if minutes % 60 == 0:
        return ngettext("%(hours)d hour", "%(hours)d hours", minutes // 60) % {"hours": minutes // 60}
    return ngettext("%(minutes)d minute", "%(minutes)d minutes", minutes) % {"minutes": minutes}


def _names(people: Sequence[Person]) -> str:
    names = [person.name for person in people]
    if len(names) == 1:
        return names[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def _person_reason(person: _Availability, best: int, *, day_s: float, day_e: float, in_hours_before_notice: bool,
                   duration: timedelta) -> str:
    name = person.person.name
    if best == _OFF_HOURS:
        if not person.works_between(day_s, day_e):
            return gettext("Not a working day for %(name)s") % {"name": name}
        if in_hours_before_notice:
            return gettext("%(name)s’s working hours that day are within the minimum notice") % {"name": name}
        return gettext("No room for the interview in %(name)s’s working hours") % {"name": name}
    if best == _WEEK_LIMIT:
        return gettext("%(name)s is at the weekly interview limit") % {"name": name}
    if best == _DAY_LIMIT:
        return gettext("%(name)s is at the daily interview limit") % {"name": name}
    return gettext("%(name)s has no free %(duration)s in working hours") % {
        "name": name, "duration": _duration_words(duration)}


def _choose(free: list[_Availability], start: datetime, needed: int) -> tuple[int, ...]:
    return tuple(person.person.id for person in sorted(free, key=lambda p: p.fairness(start))[:needed])


def compute_slots(*, panel: Sequence[Person], pool: Sequence[Person], pool_needed: int, rules: Rules,
                  extra_starts: Mapping[int, Sequence[datetime]] | None = None) -> SlotResult:
    """The slots of the request: times when every panel person and at least `pool_needed` of the pool (panel
    people left out of it) are free, inside their working hours and under their load limits; with the pool members
    each slot would get, the window's days that have none and why, and what is wrong with the request as a whole.

    `extra_starts` (person id -> starts) adds interviews to count for the load, say ones booked since the read.
    Raises ValueError for rules that make no sense (see _check) and for unknown zone names (ZoneInfo's errors).
    """
    _check(rules, pool_needed)
    extra_starts = extra_starts or {}
    zone = ZoneInfo(rules.zone)
    days = [rules.first_day + timedelta(days=n) for n in range((rules.last_day - rules.first_day).days + 1)]
    bounds = [_day_start(day, zone) for day in [*days, rules.last_day + timedelta(days=1)]]
    window_start, window_end = bounds[0], bounds[-1]
    result = SlotResult()

    panel = _unique(panel)
    pool = _unique(pool, leave_out={person.id for person in panel})
    for person in pool:
        if not person.connected:
            result.problems.append(
                gettext("%(name)s (pool) has no connected calendar and is left out.") % {"name": person.name})
    pool = [person for person in pool if person.connected]
    unknown = [person for person in panel if not person.connected]
    result.problems[:0] = [
        gettext("%(name)s has no connected calendar: connect it or remove them from the panel.") % {"name": person.name}
        for person in unknown]
    day_reasons = [gettext("%(name)s has no connected calendar") % {"name": person.name} for person in unknown]
    if not panel and pool_needed == 0:
        result.problems.append(gettext("Nobody interviews: choose a panel, a pool, or both."))
        day_reasons.append(gettext("No interviewers chosen"))
    elif len(pool) < pool_needed:
        result.problems.append(gettext("Only %(free)d of the pool can take part; %(needed)d needed.")
                               % {"free": len(pool), "needed": pool_needed})
    if day_reasons:
        result.empty_days = {day: list(day_reasons) for day in days}
        return result

    def prepare(person: Person) -> _Availability:
        return _Availability(person, lo=window_start, hi=window_end, rules=rules,
                             extra_starts=extra_starts.get(person.id, ()))

    needed = [prepare(person) for person in panel]
    pool_free = [prepare(person) for person in pool] if pool_needed else []
    earliest = rules.now + rules.notice
    end_limit = window_end.timestamp()

    for day, day_start, day_end in zip(days, bounds, bounds[1:], strict=False):
        day_s, day_e = day_start.timestamp(), day_end.timestamp()
        best = [_OFF_HOURS] * len(needed)
        in_hours_before_notice = [False] * len(needed)
        candidates = after_notice = panel_free = most_pool = 0
        found = False
        for start in _starts(day, zone, rules.step):
            end = start + rules.duration
            s, e = start.timestamp(), end.timestamp()
            if e > end_limit:
                break
            candidates += 1
            if start < earliest:
                for n, person in enumerate(needed):
                    if not in_hours_before_notice[n] and person.in_hours(s, e):
                        in_hours_before_notice[n] = True
                continue
            after_notice += 1
            everyone = True
            for n, person in enumerate(needed):
                status = person.status(start, s, e)
                if status != _FREE:
                    everyone = False
                    if status > best[n]:
                        best[n] = status
                else:
                    best[n] = _FREE
            if not everyone:
                continue
            panel_free += 1
            chosen: tuple[int, ...] = ()
            if pool_needed:
                free = [person for person in pool_free if person.status(start, s, e) == _FREE]
                most_pool = max(most_pool, len(free))
                if len(free) < pool_needed:
                    continue
                chosen = _choose(free, start, pool_needed)
            result.slots.append(Slot(start=start, end=end, pool_ids=chosen))
            found = True
        if found:
            continue

        if not candidates:
            reasons = [gettext("No start time leaves room for the interview before the window ends")]
        elif not after_notice:
            reasons = [gettext("Within the minimum notice")]
        else:
            reasons = [
                _person_reason(person, best[n], day_s=day_s, day_e=day_e,
                               in_hours_before_notice=in_hours_before_notice[n], duration=rules.duration)
                for n, person in enumerate(needed) if best[n] != _FREE
            ]
            if not reasons and not panel_free:
                reasons = [gettext("%(names)s are never free at the same time") % {"names": _names(panel)}]
            elif not reasons:
                if pool_free and not any(person.works_between(day_s, day_e) for person in pool_free):
                    reasons = [gettext("Not a working day for anyone in the pool")]
                else:
                    reasons = [gettext("Not enough pool members free (%(free)d of %(needed)d needed)")
                               % {"free": most_pool, "needed": pool_needed}]
        result.empty_days[day] = list(dict.fromkeys(reasons))
    return result


def pick_pool(*, slot_start: datetime, slot_end: datetime, pool: Sequence[Person], pool_needed: int,
              rules: Rules, extra_starts: Mapping[int, Sequence[datetime]] | None = None) -> tuple[int, ...] | None:
    """Who of the pool would take [slot_start, slot_end), fairly (as compute_slots picks), or None when fewer than
    `pool_needed` of them are free, in working hours and under their limits then. Uses the rules' buffers only: the
    window and the notice are the caller's to check. Anyone who is also on the panel must be left out by the caller.
    `extra_starts` as for compute_slots.
    """
    if pool_needed < 0:
        raise ValueError("pool_needed cannot be negative.")
    if pool_needed == 0:
        return ()
    extra = extra_starts or {}
    start = slot_start.astimezone(UTC)
    s, e = start.timestamp(), slot_end.timestamp()
    free = [
        person for person in (
            _Availability(person, lo=start, hi=slot_end, rules=rules, extra_starts=extra.get(person.id, ()))
            for person in _unique(pool) if person.connected
        )
        if person.status(start, s, e) == _FREE
    ]
    if len(free) < pool_needed:
        return None
    return _choose(free, start, pool_needed)
