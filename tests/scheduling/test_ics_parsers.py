"""Every kind of invite we send, read by Python's icalendar and by Mozilla's ical.js (Thunderbird): same facts."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .factories import UID, download, invite, lifecycle
from .parsers import AGREED, Parser, parse_with_icalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def read_alike(ics: bytes, icaljs: Parser, viewer_zone: str = "UTC") -> dict:
    """What both parsers read, after checking they agree; ical.js must see UTC times, never floating ones."""
    ours, theirs = parse_with_icalendar(ics), icaljs(ics, viewer_zone)
    assert {key: theirs[key] for key in AGREED} == {key: ours[key] for key in AGREED}
    assert (theirs["startZone"], theirs["endZone"]) == ("UTC", "UTC")
    return theirs


@pytest.mark.parametrize("kind", ["request", "update", "cancel"])
def test_it_is_read_alike_by_icalendar_and_icaljs(kind: str, icaljs: Parser) -> None:
    facts = read_alike(lifecycle()[kind], icaljs)
    assert (facts["version"], facts["calscale"], facts["transp"]) == ("2.0", "GREGORIAN", "OPAQUE")
    assert facts["prodid"] == "-//Recruitee//Interview Scheduling//EN"
    assert facts["organizer"]["value"] == "mailto:jordan.lee@acme.test"
    assert facts["attendees"] == [
        {"value": "mailto:wile.coyote@acme-candidates.test", "cn": "Wile E. Coyote", "role": "REQ-PARTICIPANT",
         "partstat": "NEEDS-ACTION", "rsvp": "TRUE"},
    ]


def test_it_reads_the_add_to_calendar_download_alike_as_a_publish_without_attendees(icaljs: Parser) -> None:
    facts = read_alike(download(), icaljs)
    assert (facts["method"], facts["uid"], facts["status"]) == ("PUBLISH", UID, "CONFIRMED")
    assert facts["attendees"] == []
    assert facts["organizer"]["value"] == "mailto:jordan.lee@acme.test"


def test_it_keeps_the_uid_and_raises_the_sequence_in_both_parsers(icaljs: Parser) -> None:
    invites = lifecycle()
    seen = [read_alike(invites[kind], icaljs) for kind in ("request", "update", "cancel")]
    assert [(f["method"], f["uid"], f["sequence"], f["status"]) for f in seen] == [
        ("REQUEST", UID, 0, "CONFIRMED"),
        ("REQUEST", UID, 1, "CONFIRMED"),
        ("CANCEL", UID, 2, "CANCELLED"),
    ]
    assert seen[1]["start"] == seen[2]["start"] == datetime(2027, 3, 30, 12, 0, tzinfo=UTC)
    assert seen[1]["end"] - seen[1]["start"] == timedelta(minutes=45)


def test_it_places_berlin_interviews_around_the_spring_change_at_the_right_instants(icaljs: Parser) -> None:
    # Clocks go forward on Sunday 2027-03-28: 10:00 is UTC+1 on Friday and UTC+2 on Monday.
    friday = read_alike(invite(start=datetime(2027, 3, 26, 10, 0, tzinfo=BERLIN)), icaljs, "Europe/Berlin")
    monday = read_alike(invite(start=datetime(2027, 3, 29, 10, 0, tzinfo=BERLIN)), icaljs, "Europe/Berlin")
    assert friday["start"] == datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    assert monday["start"] == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
    assert monday["start"] - friday["start"] == timedelta(days=3, hours=-1)
    # A Thunderbird user in Berlin sees 10:00 on both days.
    assert (friday["local"]["start"], monday["local"]["start"]) == ("2027-03-26 10:00", "2027-03-29 10:00")


def test_it_gives_an_interview_across_the_spring_gap_its_real_length(icaljs: Parser) -> None:
    # 01:30 to 03:30 on the night 02:00 becomes 03:00 is one hour, not two.
    start = datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN)
    facts = read_alike(invite(start=start, end=datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN)), icaljs, "Europe/Berlin")
    assert facts["start"] == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert facts["end"] == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert facts["local"] == {"start": "2027-03-28 01:30", "end": "2027-03-28 03:30"}


def test_it_places_berlin_interviews_around_the_autumn_change_at_the_right_instants(icaljs: Parser) -> None:
    # Clocks go back on Sunday 2027-10-31: 10:00 is UTC+2 on Friday and UTC+1 on Monday.
    friday = read_alike(invite(start=datetime(2027, 10, 29, 10, 0, tzinfo=BERLIN)), icaljs, "Europe/Berlin")
    monday = read_alike(invite(start=datetime(2027, 11, 1, 10, 0, tzinfo=BERLIN)), icaljs, "Europe/Berlin")
    assert friday["start"] == datetime(2027, 10, 29, 8, 0, tzinfo=UTC)
    assert monday["start"] == datetime(2027, 11, 1, 9, 0, tzinfo=UTC)
    assert monday["start"] - friday["start"] == timedelta(days=3, hours=1)
    assert (friday["local"]["start"], monday["local"]["start"]) == ("2027-10-29 10:00", "2027-11-01 10:00")


@pytest.mark.parametrize(
    ("new_york", "utc", "tokyo"),
    [
        # Before the US change (EST, UTC-5) and after it (EDT, UTC-4); Tokyo has no DST and is a day ahead.
        (datetime(2027, 3, 10, 20, 0), datetime(2027, 3, 11, 1, 0), "2027-03-11 10:00"),
        (datetime(2027, 3, 15, 20, 0), datetime(2027, 3, 16, 0, 0), "2027-03-16 09:00"),
    ],
)
def test_it_shows_a_new_york_interview_to_a_candidate_in_tokyo_at_the_same_instant(
    new_york: datetime, utc: datetime, tokyo: str, icaljs: Parser
) -> None:
    start = new_york.replace(tzinfo=NEW_YORK)
    ics = invite(start=start, time_zone="America/New_York")
    in_tokyo = read_alike(ics, icaljs, "Asia/Tokyo")
    in_new_york = icaljs(ics, "America/New_York")
    assert in_tokyo["start"] == in_new_york["start"] == parse_with_icalendar(ics)["start"] == utc.replace(tzinfo=UTC)
    assert in_tokyo["local"]["start"] == tokyo == f"{in_tokyo['start'].astimezone(TOKYO):%Y-%m-%d %H:%M}"
    assert in_new_york["local"]["start"] == f"{new_york:%Y-%m-%d %H:%M}"


def test_it_is_read_alike_with_escaped_folded_and_non_ascii_text(icaljs: Parser) -> None:
    read_alike(
        invite(
            summary="Entretien d’embauche, 面接; Ünïcødé – " * 4,
            description="Hi Wile,\n\nBring: ID; a pen, and \\ patience.\r\nSee https://x.test/?a=1&b=2\n" * 3,
            location="Acme; Main Street 1, 10115 Berlin",
            organizer_name="Jordan Lee, Recruiting; Ops",
            attendees=[("Dana Scott", "dana@acme.test"), ("Zoë O'Brien", "zoe@acme.test")],
        ),
        icaljs,
    )


def test_it_would_notice_a_tzid_without_its_vtimezone(icaljs: Parser) -> None:
    # The mistake this suite exists for: ical.js reads such a time as floating (the viewer's wall clock), so the
    # parsers disagree by the zone's offset and read_alike() fails.
    broken = invite().replace(b"DTSTART:20270329T080000Z", b"DTSTART;TZID=Europe/Berlin:20270329T100000")
    facts = icaljs(broken, "UTC")
    assert facts["startZone"] == "floating"
    assert facts["start"] - parse_with_icalendar(broken)["start"] == timedelta(hours=2)
    with pytest.raises(AssertionError):
        read_alike(broken, icaljs)


def test_it_gives_both_parsers_the_meeting_link_as_an_rfc7986_conference(icaljs: Parser) -> None:
    link = "https://meet.google.com/abc-defg-hij"
    facts = read_alike(invite(location=link, url=link, conference=(link, "Google Meet")), icaljs)
    assert facts["conference"] == {"value": link, "feature": "VIDEO", "label": "Google Meet"}
    assert facts["url"] == link and facts["location"] == link
    assert read_alike(invite(), icaljs)["conference"] is None
