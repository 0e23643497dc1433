"""Our own fields, checked on the bytes: parsers accept things that are wrong, so we do not rely on them here."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from scheduling.ics import InviteError

from .factories import DTSTAMP, UID, invite, lifecycle

BERLIN = ZoneInfo("Europe/Berlin")


def content_lines(ics: bytes) -> list[str]:
    """Unfolded content lines (RFC 5545 3.1)."""
    return ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def value_of(ics: bytes, name: str) -> str:
    (line,) = [line for line in content_lines(ics) if re.match(rf"{name}[;:]", line)]
    return line.split(":", 1)[1] if line.startswith(name + ":") else line


@pytest.mark.parametrize("kind", ["request", "update", "cancel"])
def test_it_ends_every_line_with_crlf_and_folds_at_75_octets(kind: str) -> None:
    ics = lifecycle(summary="Entretien d’embauche – Ünïcødé 面接 " * 6, description="é" * 300)[kind]
    assert ics.endswith(b"\r\n")
    assert re.search(rb"(?<!\r)\n|\r(?!\n)", ics) is None
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folding never cuts a character in half
    assert "Entretien d’embauche – Ünïcødé 面接" in value_of(ics, "SUMMARY")


@pytest.mark.parametrize("kind", ["request", "update", "cancel"])
def test_it_writes_the_calendar_and_one_event(kind: str) -> None:
    lines = content_lines(lifecycle()[kind])
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    for required in ("VERSION:2.0", "PRODID:-//Recruitee//Interview Scheduling//EN", "CALSCALE:GREGORIAN",
                     "TRANSP:OPAQUE", f"UID:{UID}", "DTSTAMP:20270301T120000Z"):
        assert required in lines
    assert lines.count("BEGIN:VEVENT") == 1
    assert "METHOD:CANCEL" in lines if kind == "cancel" else "METHOD:REQUEST" in lines
    assert "STATUS:CANCELLED" in lines if kind == "cancel" else "STATUS:CONFIRMED" in lines


@pytest.mark.parametrize("kind", ["request", "update", "cancel"])
def test_it_writes_utc_times_with_the_end_after_the_start(kind: str) -> None:
    ics = lifecycle()[kind]
    start, end = value_of(ics, "DTSTART"), value_of(ics, "DTEND")
    assert re.fullmatch(r"\d{8}T\d{6}Z", start) and re.fullmatch(r"\d{8}T\d{6}Z", end)
    assert end > start
    assert b"TZID" not in ics and b"VTIMEZONE" not in ics


def test_it_raises_sequence_and_keeps_the_uid_through_the_lifecycle() -> None:
    invites = lifecycle()
    assert [value_of(invites[kind], "SEQUENCE") for kind in ("request", "update", "cancel")] == ["0", "1", "2"]
    assert {value_of(ics, "UID") for ics in invites.values()} == {UID}


def test_it_writes_the_organizer_as_a_bare_mailto() -> None:
    line = value_of(invite(organizer_name='Jordan "JJ" Lee,\r\nJr.'), "ORGANIZER")
    assert line == "ORGANIZER;CN=\"Jordan 'JJ' Lee, Jr.\":mailto:jordan.lee@acme.test"


def test_it_asks_every_attendee_to_respond() -> None:
    ics = invite(attendees=[("Dana Scott", "dana@acme.test"), ("Lee Chen", "lee@acme.test"), ("", "DANA@acme.test")])
    attendees = [line for line in content_lines(ics) if line.startswith("ATTENDEE")]
    assert len(attendees) == 2  # the same address twice is one attendee
    expected = [("Dana Scott", "dana@acme.test"), ("Lee Chen", "lee@acme.test")]
    for line, (name, email) in zip(attendees, expected, strict=True):
        params, address = line.removeprefix("ATTENDEE;").split(":", 1)
        assert address == f"mailto:{email}"
        assert sorted(params.split(";")) == sorted(
            [f'CN="{name}"', "ROLE=REQ-PARTICIPANT", "PARTSTAT=NEEDS-ACTION", "RSVP=TRUE"]
        )


def test_it_writes_the_url_only_when_given() -> None:
    assert value_of(invite(), "URL") == "https://meet.example.com/abc-defg-hij"
    assert not any(line.startswith("URL") for line in content_lines(invite(url=None)))


def test_it_keeps_text_from_injecting_properties() -> None:
    ics = invite(
        summary="Interview\r\nATTENDEE:mailto:evil@example.com",
        description="Line one\r\nEND:VEVENT\r\nBEGIN:VEVENT\x00\x1b",
        location="Room 1; Floor 2, Berlin\\",
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == "mailto:wile.coyote@acme-candidates.test"
    assert str(event["SUMMARY"]) == "Interview\nATTENDEE:mailto:evil@example.com"
    assert str(event["DESCRIPTION"]) == "Line one\nEND:VEVENT\nBEGIN:VEVENT"
    assert str(event["LOCATION"]) == "Room 1; Floor 2, Berlin\\"
    assert content_lines(ics).count("BEGIN:VEVENT") == 1


def test_it_converts_any_aware_time_to_utc_and_drops_microseconds() -> None:
    start = datetime(2027, 3, 29, 10, 0, 0, 123456, tzinfo=BERLIN)
    stamp = datetime(2027, 3, 1, 13, 0, 5, 9, tzinfo=BERLIN)
    ics = invite(start=start, end=start + timedelta(minutes=30), dtstamp=stamp)
    assert value_of(ics, "DTSTART") == "20270329T080000Z"
    assert value_of(ics, "DTEND") == "20270329T083000Z"
    assert value_of(ics, "DTSTAMP") == "20270301T120005Z"


def test_it_stamps_the_current_time_by_default() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = datetime.strptime(value_of(invite(dtstamp=None), "DTSTAMP"), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamp <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"method": "ADD"}, "METHOD must be one of"),
        ({"method": "PUBLISH"}, "METHOD:PUBLISH carries no attendees"),
        ({"method": "PUBLISH", "attendees": [], "status": "CANCELLED"}, "goes with METHOD:CANCEL"),
        ({"status": "DONE"}, "STATUS must be one of"),
        ({"method": "REQUEST", "status": "CANCELLED"}, "goes with METHOD:CANCEL"),
        ({"method": "CANCEL", "status": "CONFIRMED"}, "METHOD:CANCEL needs STATUS:CANCELLED"),
        ({"sequence": -1}, "SEQUENCE must be a non-negative integer"),
        ({"sequence": True}, "SEQUENCE must be a non-negative integer"),
        ({"uid": ""}, "UID must be"),
        ({"uid": "a\r\nATTENDEE:mailto:x@example.com"}, "UID must be"),
        ({"start": datetime(2027, 3, 29, 10, 0)}, "start must be an aware datetime"),
        ({"end": datetime(2027, 3, 29, 10, 0, tzinfo=BERLIN)}, "must end after it starts"),
        ({"end": datetime(2027, 3, 29, 9, 0, tzinfo=BERLIN)}, "must end after it starts"),
        ({"time_zone": "Europe/Atlantis", "start": datetime(2027, 3, 29, 8, 0, tzinfo=UTC)}, "not a known time zone"),
        ({"url": "javascript:alert(1)"}, "URL must be an http"),
        ({"url": "https://x.test/\r\nATTENDEE:mailto:evil@x.test"}, "URL must be an http"),
        ({"organizer_email": "jordan@acme.test\r\nATTENDEE:mailto:evil@x.test"}, "is not an email address"),
        ({"attendees": [("Eve", "mailto:eve@x.test;RSVP=TRUE")]}, "is not an email address"),
        ({"attendees": []}, "at least one attendee"),
    ],
)
def test_it_refuses_invites_calendars_would_misread(overrides: dict, message: str) -> None:
    with pytest.raises(InviteError, match=message):
        invite(**overrides)


def test_it_is_reproducible_for_a_fixed_stamp() -> None:
    assert invite() == invite()
    assert value_of(invite(), "DTSTAMP") == f"{DTSTAMP:%Y%m%dT%H%M%SZ}"
