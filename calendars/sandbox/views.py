"""Read-side helpers: expanding a calendar into instances and finding events by (instance) id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .model import CANCELLED, Calendar, Event, all_day_window
from .recurrence import instance_id, master_occurrences, parse_instance_id, suffix_epoch


class Instance(NamedTuple):
    id: str
    event: Event  # the stored single/exception, or the master for a plain occurrence
    start: int
    end: int
    master: Event | None  # set for occurrences and exceptions

    @property
    def original_start(self) -> int | None:
        if self.master is None:
            return None
        return self.event.original_start if self.event is not self.master else self.start

    @property
    def is_occurrence(self) -> bool:
        return self.master is not None and self.event is self.master

    @property
    def cancelled(self) -> bool:
        return self.event.status == CANCELLED


def occurrence(master: Event, original: int) -> Instance:
    length = master.end - master.start
    return Instance(instance_id(master.id, original, master.all_day), master, original, original + length, master)


def series_instances(cal: Calendar, master: Event, now: int) -> Iterator[Instance]:
    """Occurrences of a master with its exceptions in place (cancelled exceptions included)."""
    exceptions = cal.exceptions.get(master.id, {})
    for original in master_occurrences(master, now):
        ex = exceptions.get(original)
        if ex is None:
            yield occurrence(master, original)
    for ex in exceptions.values():
        yield Instance(ex.id, ex, ex.start, ex.end, master)


def expand(cal: Calendar, now: int) -> Iterator[Instance]:
    """Every instance of the calendar: singles, occurrences and exceptions, cancelled ones included."""
    for ev in cal.events.values():
        if ev.recurrence:
            yield from series_instances(cal, ev, now)
        elif ev.recurring_id is None:
            yield Instance(ev.id, ev, ev.start, ev.end, None)
        elif ev.recurring_id not in cal.events:  # orphaned exception: its master is gone
            yield Instance(ev.id, ev, ev.start, ev.end, None)


def span(inst: Instance, cal: Calendar) -> tuple[int, int]:
    """Real instants covered; all-day dates are read in the calendar's zone."""
    if inst.event.all_day:
        return all_day_window(inst.start, inst.end, cal.tz)
    return inst.start, inst.end


def overlaps(inst: Instance, cal: Calendar, lo: int | None, hi: int | None) -> bool:
    start, end = span(inst, cal)
    if end == start:
        end += 1  # zero-length events still sit somewhere in time
    return (lo is None or end > lo) and (hi is None or start < hi)


def find(cal: Calendar, event_id: str, now: int) -> Instance | None:
    """A stored event by id, or a not-yet-materialised occurrence by its instance id."""
    ev = cal.events.get(event_id)
    if ev is not None:
        if ev.recurring_id is not None:
            return Instance(ev.id, ev, ev.start, ev.end, cal.events.get(ev.recurring_id))
        return Instance(ev.id, ev, ev.start, ev.end, None)
    parsed = parse_instance_id(event_id)
    if parsed is None:
        return None
    master = cal.events.get(parsed[0])
    if master is None or not master.recurrence:
        return None
    original = suffix_epoch(parsed[1])
    if original not in master_occurrences(master, now):
        return None
    return occurrence(master, original)
