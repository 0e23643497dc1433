"""Time-zone names, in one place with one rule: a zone is a real IANA name that this machine's zone database knows.

People choose zones from a list (members, candidates, companies, interviews); providers and old rows send names
we must display without failing. Both go through here.
"""

from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django import forms

UTC_ZONE = ZoneInfo("UTC")

# In the zone database but not a place anyone lives: "localtime" is whatever zone the server runs in, "posixrules"
# a template file, "Factory" a placeholder whose abbreviation is "-00".
NOT_A_PLACE = frozenset({"localtime", "posixrules", "Factory"})


class TimeZoneError(ValueError):
    """Not an IANA zone name this machine knows."""


@cache
def known_zone_names() -> frozenset[str]:
    # Walks the zone database on disk: once per process is enough.
    return frozenset(available_timezones()) - NOT_A_PLACE


def is_known_zone(name: str) -> bool:
    return name in known_zone_names()


def zone_for(name: str) -> ZoneInfo:
    """The zone called `name` ("Europe/Berlin"), or TimeZoneError.

    Checked against the list first: ZoneInfo itself would also open names like "Europe" that are folders, or
    "localtime".
    """
    if not is_known_zone(name):
        raise TimeZoneError(f"“{name}” is not a known time zone. Use a name like “Europe/Berlin”.")
    return ZoneInfo(name)


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone called `name`, or UTC when the name is empty or unknown: a display must never fail on a name."""
    try:
        return zone_for(name) if name else UTC_ZONE
    except (TimeZoneError, ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(known_zone_names())]


class TimeZoneField(forms.ChoiceField):
    """A select of every known zone; the value is the IANA name."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", time_zone_choices)
        kwargs.setdefault("initial", "UTC")
        super().__init__(**kwargs)
