"""iCalendar invitations (RFC 5545 objects carrying RFC 5546 iTIP methods) for one interview.

Times are written in UTC (`DTSTART:20270329T080000Z`), never as TZID + VTIMEZONE. An interview happens once, so
UTC loses nothing: every client shows the instant in its own user's zone, and the instant is what the organizer
chose in the event's zone. It is also what Google Calendar itself sends for single events. The alternative has
traps in every client: a TZID whose VTIMEZONE is missing is floating time to ical.js (Thunderbird), and the
VTIMEZONE that icalendar generates from zoneinfo is a list of RDATE transitions limited to 1970–2038, a shape
Outlook is known to misread. The event's zone is still validated, and callers name it in the text they write.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from icalendar import Calendar, Event, vCalAddress, vUri

from recruitee.zones import TimeZoneError, zone_for

DEFAULT_PRODID = "-//Recruitee//Interview Scheduling//EN"
# REQUEST and CANCEL are invitations (iTIP); PUBLISH is a plain copy for one's own calendar ("Add to calendar").
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")

# TEXT values may not hold control characters (RFC 5545 3.3.11) other than the line breaks icalendar escapes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class InviteError(ValueError):
    """The caller asked for an invite that calendars would misread or drop."""


def build_invite(
    *,
    method: str,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    time_zone: str,
    summary: str,
    description: str,
    location: str,
    url: str | None,
    organizer_email: str,
    organizer_name: str,
    attendees: Sequence[tuple[str, str]],
    status: str,
    dtstamp: datetime | None = None,
    prodid: str = DEFAULT_PRODID,
    conference: tuple[str, str] | None = None,
    language: str | None = None,
) -> bytes:
    """The `.ics` bytes (UTF-8, CRLF, folded at 75 octets) for a `method=REQUEST` or `method=CANCEL` part, or a
    `method=PUBLISH` file to download.

    `attendees` are (name, email) pairs; a PUBLISH has none (RFC 5546 3.2.1: nobody is asked to answer it). The
    UID must stay the same for the life of the interview and `sequence` must rise with every change attendees
    should see, the cancellation included. `conference` (join link, label) is a video meeting, written as RFC 7986
    `CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=...`; clients that do not know the property still have URL.
    `language` ("de") is the language SUMMARY and DESCRIPTION are written in (RFC 5545 LANGUAGE parameter).
    """
    if method not in METHODS:
        raise InviteError(f"METHOD must be one of {', '.join(METHODS)}, not {method!r}.")
    if status not in STATUSES:
        raise InviteError(f"STATUS must be one of {', '.join(STATUSES)}, not {status!r}.")
    # A REQUEST carrying STATUS:CANCELLED leaves the event in people's calendars; a CANCEL must say CANCELLED.
    if method == "CANCEL" and status != "CANCELLED":
        raise InviteError("METHOD:CANCEL needs STATUS:CANCELLED.")
    if method in ("REQUEST", "PUBLISH") and status == "CANCELLED":
        raise InviteError(f"STATUS:CANCELLED goes with METHOD:CANCEL; a {method} would keep the event in calendars.")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise InviteError(f"SEQUENCE must be a non-negative integer, not {sequence!r}.")
    if not uid or _CONTROL.search(uid) or "\n" in uid:
        raise InviteError("UID must be a non-empty single line.")
    try:
        zone_for(time_zone)  # a wrong zone means start and end were computed from the wrong wall clock
    except TimeZoneError as error:
        raise InviteError(str(error)) from error
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise InviteError("The event must end after it starts.")
    if method == "PUBLISH" and attendees:
        raise InviteError("METHOD:PUBLISH carries no attendees.")
    if method != "PUBLISH" and not attendees:
        raise InviteError("An invitation needs at least one attendee.")

    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", _utc(dtstamp or datetime.now(UTC), "dtstamp"))
    event.add("dtstart", start_utc)
    event.add("dtend", end_utc)
    if language is not None and not re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", language):
        raise InviteError(f"LANGUAGE must be a language tag, not {language!r}.")
    written_in = {"LANGUAGE": language} if language else None
    event.add("summary", _text(summary), parameters=written_in)
    event.add("description", _text(description), parameters=written_in)
    event.add("location", _text(location))
    if url:
        event.add("url", _http_url(url))
    if conference is not None:
        join, label = conference
        params = {"VALUE": "URI", "FEATURE": "VIDEO"}
        if _param(label):
            params["LABEL"] = _param(label)
        event.add("conference", vUri(_http_url(join)), parameters=params)
    event.add("organizer", _address(organizer_name, organizer_email))
    seen: set[str] = set()
    for name, email in attendees:
        if email.casefold() in seen:
            continue  # one person, one ATTENDEE line: duplicates show up twice in some clients
        seen.add(email.casefold())
        attendee = _address(name, email)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        attendee.params["RSVP"] = "TRUE"
        event.add("attendee", attendee)
    event.add("status", status)
    event.add("transp", "OPAQUE")  # the interview blocks the time in everyone's free/busy

    calendar = Calendar()
    calendar.add("prodid", prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar.to_ical()


def _utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InviteError(f"{what} must be an aware datetime: a naive one has no instant.")
    # iCalendar has whole seconds; icalendar would drop the microseconds anyway, do it visibly.
    return moment.astimezone(UTC).replace(microsecond=0)


def _text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _param(value: str) -> str:
    # A parameter value is one line and cannot hold a double quote; icalendar would write RFC 6868's ^' for it,
    # which older clients show literally.
    return " ".join(_CONTROL.sub("", value).replace('"', "'").split())


def _address(name: str, email: str) -> vCalAddress:
    try:
        validate_email(email)
    except ValidationError as error:
        raise InviteError(f"{email!r} is not an email address.") from error
    address = vCalAddress(f"mailto:{email}")  # bare mailto: the RSVP goes back to this address
    if _param(name):
        address.params["CN"] = _param(name)
    return address


def _http_url(url: str) -> str:
    if not re.fullmatch(r"https?://[^\s\x00-\x1f\x7f]+", url, flags=re.IGNORECASE):
        raise InviteError(f"URL must be an http(s) address, not {url!r}.")
    return url
