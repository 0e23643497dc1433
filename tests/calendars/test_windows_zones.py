"""Outlook names zones the Windows way; we store IANA names (mapped with the CLDR table icalendar ships)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from calendars.providers.microsoft import iana_zone_name

# Zones Graph really sends in `originalStartTimeZone` and in dateTimeTimeZone values, with the place they mean.
OUTLOOK_ZONES = [
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("GMT Standard Time", "Europe/London"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("FLE Standard Time", "Europe/Kyiv"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("India Standard Time", "Asia/Kolkata"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("UTC", "UTC"),
    ("tzone://Microsoft/Utc", "UTC"),
    ("Europe/Berlin", "Europe/Berlin"),  # with a Prefer header, or for calendars created elsewhere
]


@pytest.mark.parametrize(("sent", "place"), OUTLOOK_ZONES)
def test_it_maps_the_zones_outlook_sends_to_iana_zones(sent, place):
    name = iana_zone_name(sent)
    # The table may name a place by an older alias (Asia/Calcutta for Asia/Kolkata): the clocks must agree.
    for moment in (datetime(2030, 1, 15, 12, 0), datetime(2030, 7, 15, 12, 0)):
        assert moment.replace(tzinfo=ZoneInfo(name)).utcoffset() == moment.replace(tzinfo=ZoneInfo(place)).utcoffset()


@pytest.mark.parametrize("sent", ["Customized Time Zone", "Europe", "localtime", "", None, 42, "Mars Standard Time"])
def test_it_names_no_zone_for_what_is_not_one(sent):
    assert iana_zone_name(sent) == ""
