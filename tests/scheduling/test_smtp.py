"""What a real SMTP server receives for one scheduled interview: two messages, each a working invitation."""

import email
from email import policy

import pytest

from tests.mailbox import conftest as mailbox_fixtures

from .helpers import schedule
from .parsers import parse_with_icalendar

pytestmark = pytest.mark.django_db

smtp = mailbox_fixtures.smtp  # an aiosmtpd server on loopback, Django sending through it


def test_it_delivers_invitations_that_calendars_accept(smtp, owner_client, owner, interviewer, acme_candidate,
                                                       django_capture_on_commit_callbacks, icaljs):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         capture=django_capture_on_commit_callbacks)
    received = smtp.wait_for(2)
    by_recipient = {r.rcpt_tos: email.message_from_bytes(r.data, policy=policy.default) for r in received}
    assert set(by_recipient) == {(acme_candidate.email,), (interviewer.user.email,)}

    for (address,), message in by_recipient.items():
        assert message.get_content_type() == "multipart/mixed"
        alternative = next(p for p in message.iter_parts() if p.get_content_type() == "multipart/alternative")
        types = [p.get_content_type() for p in alternative.iter_parts()]
        assert types == ["text/plain", "text/html", "text/calendar"]
        calendar = list(alternative.iter_parts())[2]
        assert calendar.get_param("method") == "REQUEST"
        ics = calendar.get_payload(decode=True)
        ours, theirs = parse_with_icalendar(ics), icaljs(ics)
        assert ours["uid"] == theirs["uid"] == interview.ical_uid
        assert [a["value"] for a in ours["attendees"]] == [f"mailto:{address}"]
        assert ours["attendees"][0]["partstat"] == "NEEDS-ACTION" and ours["attendees"][0]["rsvp"] == "TRUE"
        assert ours["organizer"]["value"] == f"mailto:{owner.user.email}"
        [attachment] = [p for p in message.iter_attachments()]
        assert attachment.get_filename() == "invite.ics" and attachment.get_content_type() == "application/ics"
        assert message["Reply-To"] and owner.user.email in message["Reply-To"]
