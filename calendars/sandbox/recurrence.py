"""Expanding RRULE/EXDATE/RDATE lines into instance start times.

Expansion is cached per (rule lines, start, zone, horizon) because every list request of a calendar expands
the same masters again. Rules are expanded in the event's own zone so a 09:00 meeting stays at 09:00 local
across DST changes, as Google and Outlook do.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import UTC, datetime
from functools import lru_cache

from dateutil.rrule import rrulestr

from .model import DAY, Event, epoch_date, zone

MAX_INSTANCES = 3000  # safety cap for open-ended rules; real providers also stop expanding somewhere
HORIZON_DAYS = 2 * 366  # open-ended rules are expanded this far past "now"


class RecurrenceError(ValueError):
    pass


def instance_suffix(original_start: int, all_day: bool) -> str:
    if all_day:
        return epoch_date(original_start).strftime("%Y%m%d")
    return datetime.fromtimestamp(original_start, UTC).strftime("%Y%m%dT%H%M%SZ")


def instance_id(master_id: str, original_start: int, all_day: bool) -> str:
    """Google's `<seriesId>_<YYYYMMDDTHHMMSSZ>` (or `_<YYYYMMDD>` for all-day); reused for Graph occurrences."""
    return f"{master_id}_{instance_suffix(original_start, all_day)}"


def parse_instance_id(value: str) -> tuple[str, str] | None:
    master, sep, suffix = value.rpartition("_")
    if not sep or not master:
        return None
    if len(suffix) == 16 and suffix[8] == "T" and suffix.endswith("Z"):
        return master, suffix
    if len(suffix) == 8 and suffix.isdigit():
        return master, suffix
    return None


def suffix_epoch(suffix: str) -> int:
    if len(suffix) == 8:
        return _calendar.timegm((int(suffix[:4]), int(suffix[4:6]), int(suffix[6:8]), 0, 0, 0))
    dt = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return int(dt.timestamp())


def _split(line: str) -> tuple[str, dict[str, str], str]:
    head, _, value = line.partition(":")
    name, *params = head.split(";")
    parsed = {}
    for p in params:
        k, _, v = p.partition("=")
        parsed[k.upper()] = v
    return name.upper(), parsed, value


def _date_values(params: dict[str, str], value: str, tz: str, all_day: bool) -> list[int]:
    out = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            if len(item) == 8 or params.get("VALUE") == "DATE":
                d = datetime.strptime(item[:8], "%Y%m%d")
                if all_day:
                    out.append(_calendar.timegm(d.timetuple()))
                else:
                    out.append(int(d.replace(tzinfo=zone(params.get("TZID", tz))).timestamp()))
            elif item.endswith("Z"):
                out.append(int(datetime.strptime(item, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()))
            else:
                local = datetime.strptime(item, "%Y%m%dT%H%M%S").replace(tzinfo=zone(params.get("TZID", tz)))
                out.append(int(local.timestamp()))
        except (ValueError, KeyError) as exc:
            raise RecurrenceError(f"invalid date value {item!r}") from exc
    return out


def _normalize_until(rule: str, all_day: bool, tz: str) -> str:
    """Clients write UNTIL as a date, a local time or UTC; dateutil needs it to match DTSTART's kind."""
    parts = []
    for part in rule.split(";"):
        key, _, value = part.partition("=")
        if key.upper() == "UNTIL" and value:
            if all_day:
                value = value[:8]
            elif len(value) == 8:
                value += "T235959Z"
            elif not value.endswith("Z"):
                local = datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone(tz))
                value = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        parts.append(f"{key}={value}" if value else part)
    return ";".join(parts)


def validate(lines: tuple[str, ...], start: int, all_day: bool, tz: str) -> None:
    """Raise RecurrenceError when the lines would not expand (the API answers 400 then)."""
    if not lines:
        raise RecurrenceError("empty recurrence")
    for line in lines:
        name, _, _ = _split(line)
        if name not in ("RRULE", "EXDATE", "RDATE"):
            raise RecurrenceError(f"unsupported recurrence line {line!r}")
    occurrences(tuple(lines), start, all_day, tz, start + 30 * DAY)


@lru_cache(maxsize=8192)
def occurrences(lines: tuple[str, ...], start: int, all_day: bool, tz: str, horizon: int) -> tuple[int, ...]:
    if all_day:
        d = epoch_date(start)
        dtstart = datetime(d.year, d.month, d.day)
    else:
        dtstart = datetime.fromtimestamp(start, zone(tz))
    starts: set[int] = set()
    excluded: set[int] = set()
    for line in lines:
        name, params, value = _split(line)
        if name == "RRULE":
            try:
                rule = rrulestr(_normalize_until(value, all_day, tz), dtstart=dtstart)
            except (ValueError, TypeError) as exc:
                raise RecurrenceError(f"invalid RRULE {value!r}: {exc}") from exc
            for n, dt in enumerate(rule):
                ts = _calendar.timegm(dt.timetuple()) if all_day else int(dt.timestamp())
                if ts > horizon or n >= MAX_INSTANCES:
                    break
                starts.add(ts)
        elif name == "RDATE":
            starts.update(_date_values(params, value, tz, all_day))
        elif name == "EXDATE":
            excluded.update(_date_values(params, value, tz, all_day))
    return tuple(sorted(starts - excluded))


def horizon_for(now: int) -> int:
    # Rounded to a day so the expansion cache keeps hitting while the clock moves.
    return (now // DAY + HORIZON_DAYS) * DAY


def master_occurrences(master: Event, now: int) -> tuple[int, ...]:
    assert master.recurrence
    # Open-ended series are expanded two years past now, or past their start when that lies further ahead.
    return occurrences(master.recurrence, master.start, master.all_day, master.tz,
                       horizon_for(max(now, master.start)))


def series_span(master: Event, now: int) -> tuple[int, int]:
    """First start and last end of a series, used to filter masters by timeMin/timeMax."""
    occ = master_occurrences(master, now)
    if not occ:
        return master.start, master.end
    return occ[0], occ[-1] + (master.end - master.start)


