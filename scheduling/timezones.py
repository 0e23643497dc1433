"""Wall-clock times in a named zone, with daylight-saving gaps and overlaps made explicit.

`datetime.combine(day, at, tzinfo=zone)` never complains: 02:30 on the night clocks spring forward does not exist
and silently becomes another instant, and 02:30 on the night they fall back exists twice. Scheduling must say so.
Which names are zones at all is recruitee/zones.py's one rule (an unknown name raises its TimeZoneError).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from recruitee.zones import zone_for


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped when the clocks jump forward in that zone."""


# The days an event can plausibly be on (one that already happened can be recorded, too). Far outside them, a day
# plus a zone offset or a duration leaves what Python's datetime can hold (year 1 to 9999).
EARLIEST_DAY, LATEST_DAY = date(1970, 1, 1), date(2099, 12, 31)


def out_of_range() -> str:
    """"Pick a date between 1 January 1970 and 31 December 2099.", in the reader's language."""
    return _("Pick a date between %(first)s and %(last)s.") % {
        "first": date_format(EARLIEST_DAY, "DATE_FORMAT"), "last": date_format(LATEST_DAY, "DATE_FORMAT")}


def wall_clock_day(day: date) -> str:
    """A day in a message about the clocks: "2027-03-28" ("28.03.2027" in German)."""
    # Translators: a Django date format for a day next to a time zone's name, "2027-03-28".
    return date_format(day, pgettext("date format", "Y-m-d"))


class DayOutOfRange(ValueError):
    """The day is outside EARLIEST_DAY..LATEST_DAY."""

    def __init__(self) -> None:
        super().__init__(out_of_range())


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
            _("%(time)s on %(day)s does not exist in %(zone)s: the clocks jump over it (daylight saving time "
              "starts).") % {"time": f"{at:%H:%M}", "day": wall_clock_day(day), "zone": zone_name}
        )
    return local


def _skipped(local: datetime) -> bool:
    # A time in the gap does not survive a round trip through UTC: it comes back an hour off.
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None, fold=0) != local.replace(tzinfo=None, fold=0)
