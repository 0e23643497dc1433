"""Turning stored time-zone names into zones, for data that comes from outside (providers, old rows)."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")


def zone_or_utc(name: str | None) -> ZoneInfo:
    """The zone called `name`, or UTC when the name is empty or unknown: a display must never fail on a name."""
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE
