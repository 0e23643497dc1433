"""Wall-clock times in a named zone, with daylight-saving gaps and overlaps made explicit.

`datetime.combine(day, at, tzinfo=zone)` never complains: 02:30 on the night clocks spring forward does not exist
and silently becomes another instant, and 02:30 on the night they fall back exists twice. Scheduling must say so.
Which names are zones at all is recruitee/zones.py's one rule (an unknown name raises its TimeZoneError).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from recruitee.zones import zone_for


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped when the clocks jump forward in that zone."""


# The days an event can plausibly be on (one that already happened can be recorded, too). Far outside them, a day
# plus a zone offset or a duration leaves what Python's datetime can hold (year 1 to 9999).
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2099, 12, 31)
OUT_OF_RANGE = f"Pick a date between {EARLIEST_DAY:%-d %B %Y} and {LATEST_DAY:%-d %B %Y}."


class DayOutOfRange(ValueError):
    """The day is outside EARLIEST_DAY..LATEST_DAY."""

    def __init__(self) -> None:
        super().__init__(OUT_OF_RANGE)


def is_plausible_day(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def is_ambiguous(day: date, at: time, zone_name: str) -> bool:
    """True when the clocks go back over this wall-clock time, so it happens twice."""
    if not is_plausible_day(day):
        return False
    zone = zone_for(zone_name)
    first = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    return first.replace(fold=0).utcoffset() != first.replace(fold=1).utcoffset() and not _skipped(first)


def local_datetime(day: date, at: time, zone_name: str) -> datetime:
    """The aware datetime for a wall-clock time in a zone.

    A skipped time raises NonexistentLocalTime with the reason; a repeated one is taken at its first occurrence
    (the earlier instant, still on summer time), which is what people mean by "02:30" that night. A day outside
    the plausible range raises DayOutOfRange.
    """
    if not is_plausible_day(day):
        raise DayOutOfRange
    zone = zone_for(zone_name)
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    if _skipped(local):
        raise NonexistentLocalTime(
            f"{at:%H:%M} on {day:%Y-%m-%d} does not exist in {zone_name}: the clocks jump over it "
            "(daylight saving time starts)."
        )
    return local


def _skipped(local: datetime) -> bool:
    # A time in the gap does not survive a round trip through UTC: it comes back an hour off.
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None, fold=0) != local.replace(tzinfo=None, fold=0)
