"""Meeting links from the organizer's calendar (Google Meet, Microsoft Teams) against both sandbox providers: made
with the provider event, then in both emails, the .ics and the interview page, once each."""

import pytest
from icalendar import Calendar

from recruitee.tenancy.db import across_tenants
from scheduling.models import MeetingStatus
from scheduling.services import interview_cancel
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import outbox, stored

from .helpers import calendar_part, invite_of, messages_about, messages_of, reload, schedule

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

CASES = [("google", GOOGLE_ACCOUNT, "Google Meet", "https://meet.google.com/"),
         ("microsoft", OUTLOOK_ACCOUNT, "Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/")]


def provider_join_url(event) -> str:
    conference = event.get_extra("conferenceData")
    if conference:
        return next(p["uri"] for p in conference.get("entryPoints", []) if p["entryPointType"] == "video")
    return event.get_extra("online_meeting") or ""


@pytest.mark.parametrize(("provider", "account", "label", "prefix"), CASES)
def test_it_makes_the_meeting_link_and_puts_it_once_in_both_emails_the_ics_and_the_event(
    providers, owner_client, interviewer, acme_candidate, provider, account, label, prefix, capture
):
    connect(owner_client, provider, account)
    step1 = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/")
    assert f"Add a {label} link" in step1.content.decode()

    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk], "online_meeting": "on", "location": "",
                                       "video_link": "https://typed.example/ignored"},
                         interviewers_calendar="on")

    interview = reload(interview)
    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.CREATED and invite.meeting_error == ""
    link = interview.video_link
    assert link.startswith(prefix)
    event = stored(providers, provider, account, invite.provider_event_id)
    assert provider_join_url(event) == link
    # The provider's event carries its meeting itself; the link is not repeated in the text or the place.
    assert link not in (event.get_extra("description") or "") and event.location in (None, "")

    sent = messages_of(interview)
    assert set(sent) == {"candidate", "interviewers"}
    for message in sent.values():
        assert message.text_body.count(link) == 1, message.text_body
    ics = Calendar.from_ical(calendar_part(sent["candidate"]))
    vevent = ics.walk("VEVENT")[0]
    conference = vevent["CONFERENCE"]
    assert str(conference) == link and conference.params["FEATURE"] == "VIDEO" and conference.params["LABEL"] == label
    assert str(vevent["URL"]) == link and str(vevent["LOCATION"]) == link

    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert link in page

    # Reschedule keeps the same meeting.
    with capture(execute=True):
        response = owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": "2030-06-13", "start_time": "09:30",
            "duration": "45", "time_zone": "Europe/Berlin", "location": "", "video_link": "",
            "interviewers": [interviewer.pk]})
    assert response.status_code in (200, 302)
    moved = reload(interview)
    assert moved.sequence == 1 and moved.video_link == link
    event = stored(providers, provider, account, invite.provider_event_id)
    assert provider_join_url(event) == link and event.start == int(moved.start.timestamp())


@pytest.mark.parametrize(("provider", "account", "label", "prefix"), CASES)
def test_it_makes_the_event_without_attendees_for_email_only_invitations(
    providers, owner_client, interviewer, acme_candidate, provider, account, label, prefix, capture
):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk], "online_meeting": "on", "location": ""})
    interview = reload(interview)
    invite = invite_of(interview)
    event = stored(providers, provider, account, invite.provider_event_id)
    assert [a.email for a in event.attendees if a.email.lower() != account.lower()] == []
    assert outbox(providers) == []
    assert interview.video_link.startswith(prefix)
    for message in messages_of(interview).values():
        assert message.text_body.count(interview.video_link) == 1
        assert b"CONFERENCE" in calendar_part(message).replace(b"\r\n ", b"")


def test_it_reads_a_pending_google_conference_until_it_is_made(providers, owner_client, acme_candidate, capture):
    providers.state.settings.google_conference_pending_reads = 2
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"online_meeting": "on", "location": ""})
    interview = reload(interview)
    assert invite_of(interview).meeting_status == MeetingStatus.CREATED
    assert interview.video_link.startswith("https://meet.google.com/")
    assert messages_of(interview)["candidate"].text_body.count(interview.video_link) == 1


def test_it_gives_up_on_a_google_conference_that_stays_pending(providers, owner_client, acme_candidate, capture):
    providers.state.settings.google_conference_pending_reads = -1
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"online_meeting": "on", "location": "HQ"})
    interview = reload(interview)
    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.FAILED and "still creating it" in invite.meeting_error
    assert interview.video_link == ""
    # The invitation went out anyway, without a link.
    assert "meet.google.com" not in messages_of(interview)["candidate"].text_body
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "The Google Meet link could not be created" in page


def test_it_tells_nobody_when_an_interview_is_cancelled_before_its_meeting_link_was_made(
    providers, owner_client, owner, acme_candidate, capture
):
    """The invitations wait for the meeting link; cancelled meanwhile, nobody was invited, so nobody gets a
    cancellation, and the waiting invitations never go out (not even when the calendar task runs afterwards)."""
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, step1_fields={"online_meeting": "on", "location": ""})
    assert invite_of(interview).meeting_status == MeetingStatus.REQUESTED
    with capture(execute=True), across_tenants("test setup"):
        interview_cancel(interview=reload(interview), actor=owner.user)
    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.FAILED and "cancelled first" in invite.meeting_error
    with across_tenants("test setup"):
        assert list(messages_about(interview)) == []
