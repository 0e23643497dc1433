"""Retry of a Meet/Teams link that could not be made when the invitations went out (they went without it): once the
link exists, the people invited by email get an update (.ics with the same UID, SEQUENCE + 1, the link in LOCATION,
URL and CONFERENCE) and those the calendar invited get the provider's update. Both sandbox providers, failing the
way each documents it (calendars/sandbox/README.md, "Video meetings")."""

import pytest
from django.conf import settings
from icalendar import Calendar

from recruitee.tenancy.db import across_tenants
from scheduling import emails
from scheduling.meeting_link import meeting_link_wording
from scheduling.models import Audience, MeetingStatus
from scheduling.selectors import interview_history
from scheduling.services import interview_cancel
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import stored

from .helpers import all_messages_of, calendar_part, invite_of, reload, schedule
from .test_meeting_links import provider_join_url

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

CASES = [("google", GOOGLE_ACCOUNT, "Google Meet", "https://meet.google.com/", "google_conference_failures"),
         ("microsoft", OUTLOOK_ACCOUNT, "Microsoft Teams", "https://teams.microsoft.com/l/meetup-join/",
          "microsoft_online_meeting_failures")]
INTERVIEWER_EMAIL = "interviewer@acme.test"


def schedule_with_meeting(client, candidate, interviewer, capture):
    """The candidate invited by email, the interviewer by the organizer's calendar only."""
    return schedule(client, candidate, capture=capture,
                    step1_fields={"interviewers": [interviewer.pk], "online_meeting": "on", "location": ""},
                    interviewers_email=None, interviewers_calendar="on")


def provider_mail(sandbox, kind: str, email: str = INTERVIEWER_EMAIL) -> list[dict]:
    return [o for o in sandbox.state.outbox_entries() if o["kind"] == kind and o["attendee"] == email]


def vevent_of(message):
    return Calendar.from_ical(calendar_part(message)).walk("VEVENT")[0]


def meeting_shown(client, interview) -> str:
    """What the interview page says about the meeting."""
    page = client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    return page.split('data-testid="meeting"', 1)[1].split("</div>", 1)[0]


def retry(client, interview, capture):
    with capture(execute=True):
        response = client.post(f"/acme/interviews/{interview.pk}/calendar/retry/")
    assert response.status_code == 302


def history(interview) -> list[str]:
    """The interview's history, oldest first."""
    with across_tenants("test setup"):
        return [entry.data.get("detail", "") for entry in reversed(interview_history(reload(interview)))]


@pytest.mark.parametrize(("provider", "account", "label", "prefix", "failure"), CASES)
def test_it_retries_a_failed_meeting_and_sends_everyone_invited_the_link(
    providers, owner_client, interviewer, acme_candidate, capture, provider, account, label, prefix, failure
):
    setattr(providers.state.settings, failure, 1)
    connect(owner_client, provider, account)
    interview = reload(schedule_with_meeting(owner_client, acme_candidate, interviewer, capture))
    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.FAILED and interview.video_link == ""
    (invitation,) = all_messages_of(interview)  # went out without a link
    assert "Video call:" not in invitation.text_body
    assert len(provider_mail(providers, "invite")) == 1
    assert f"The {label} link could not be created" in meeting_shown(owner_client, interview)
    # The event exists (its status is not failed), yet the page offers Retry for the meeting.
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert f'action="/acme/interviews/{interview.pk}/calendar/retry/"' in page

    retry(owner_client, interview, capture)

    interview = reload(interview)
    invite = invite_of(interview)
    link = interview.video_link
    assert invite.meeting_status == MeetingStatus.CREATED and link.startswith(prefix)
    assert interview.sequence == 1
    # The provider's event carries the meeting (not repeated in its text), and the provider told the interviewer it
    # invited.
    event = stored(providers, provider, account, invite.provider_event_id)
    assert provider_join_url(event) == link and link not in (event.get_extra("description") or "")
    assert len(provider_mail(providers, "update")) == 1
    # The candidate's update: the link once, the same calendar entry a step further, the link where calendars
    # look for it.
    first, update = all_messages_of(interview)
    assert first.pk == invitation.pk
    assert update.text_body.count(link) == 1 and "Nothing else has changed" in update.text_body
    assert "Video link for your interview" in update.subject
    before, after = vevent_of(invitation), vevent_of(update)
    assert str(after["UID"]) == str(before["UID"]) == interview.ical_uid
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1 == 1
    assert str(after["LOCATION"]) == str(after["URL"]) == str(after["CONFERENCE"]) == link
    assert after["CONFERENCE"].params["LABEL"] == label
    assert b"METHOD:REQUEST" in calendar_part(update)

    shown = meeting_shown(owner_client, interview)
    assert link in shown and "could not be created" not in shown
    assert history(interview)[-2:] == [f"Retried the {label} link", f"{label} link created on retry; the people "
                                                                       "invited by email were sent an update"]


@pytest.mark.parametrize(("provider", "account", "label", "prefix"), [case[:4] for case in CASES])
def test_it_retries_after_the_calendar_refused_the_event_and_its_meeting(
    providers, owner_client, interviewer, acme_candidate, capture, provider, account, label, prefix
):
    """The provider erred on the create: no event, no meeting, the email invitations went out without a link.
    Retry makes the event with its meeting (the calendar invites the interviewer now, link and all) and sends the
    candidate the update."""
    providers.state.inject_fault(path=r"/events$", method="POST", status=400, reason="invalid")
    connect(owner_client, provider, account)
    interview = reload(schedule_with_meeting(owner_client, acme_candidate, interviewer, capture))
    invite = invite_of(interview)
    assert invite.status == "failed" and invite.meeting_status == MeetingStatus.FAILED
    assert provider_mail(providers, "invite") == []
    (invitation,) = all_messages_of(interview)

    retry(owner_client, interview, capture)

    interview = reload(interview)
    invite = invite_of(interview)
    assert invite.status == "created" and invite.meeting_status == MeetingStatus.CREATED
    assert interview.video_link.startswith(prefix)
    assert provider_join_url(stored(providers, provider, account, invite.provider_event_id)) == interview.video_link
    assert len(provider_mail(providers, "invite")) == 1 and provider_mail(providers, "update") == []
    _first, update = all_messages_of(interview)
    assert update.text_body.count(interview.video_link) == 1
    assert int(vevent_of(update)["SEQUENCE"]) == 1
    calendar = "Google Calendar" if provider == "google" else "Outlook Calendar"
    assert history(interview)[-2] == f"Retried the {calendar} invitation and the {label} link"


def test_a_retry_that_fails_again_sends_nothing(providers, owner_client, interviewer, acme_candidate, capture):
    providers.state.settings.google_conference_failures = 2
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule_with_meeting(owner_client, acme_candidate, interviewer, capture)

    retry(owner_client, interview, capture)

    interview = reload(interview)
    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.FAILED and "could not create" in invite.meeting_error
    assert interview.video_link == "" and interview.sequence == 0
    assert len(all_messages_of(interview)) == 1  # the invitation only
    assert history(interview)[-1].startswith("The Google Meet link could not be created on retry")
    # And it can be retried once more.
    retry(owner_client, interview, capture)
    assert invite_of(interview).meeting_status == MeetingStatus.CREATED
    assert len(all_messages_of(interview)) == 2


def test_nothing_to_retry_when_the_meeting_was_made(providers, owner_client, interviewer, acme_candidate, capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule_with_meeting(owner_client, acme_candidate, interviewer, capture)
    assert invite_of(interview).meeting_status == MeetingStatus.CREATED
    before = history(interview)

    retry(owner_client, interview, capture)

    assert history(interview) == before and reload(interview).sequence == 0
    assert len(all_messages_of(interview)) == 1


def test_a_cancel_while_the_link_is_made_again_tells_nobody_of_a_link(
    providers, owner_client, owner, interviewer, acme_candidate, capture
):
    providers.state.settings.google_conference_failures = 1
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule_with_meeting(owner_client, acme_candidate, interviewer, capture)
    response = owner_client.post(f"/acme/interviews/{interview.pk}/calendar/retry/")  # its task has not run yet
    assert response.status_code == 302 and invite_of(interview).meeting_status == MeetingStatus.RETRYING

    with capture(execute=True), across_tenants("test setup"):
        interview_cancel(interview=reload(interview), actor=owner.user)

    invite = invite_of(interview)
    assert invite.meeting_status == MeetingStatus.FAILED and invite.status == "cancelled"
    invitation, cancellation = all_messages_of(interview)  # the candidate was invited, so is told of the cancel
    assert b"METHOD:CANCEL" in calendar_part(cancellation)
    assert reload(interview).video_link == ""


def test_the_link_update_has_its_own_wording_in_every_language():
    for audience in (Audience.CANDIDATE, Audience.INTERVIEWERS):
        english = meeting_link_wording(audience, "en")
        for code, _name in settings.LANGUAGES:
            wording = meeting_link_wording(audience, code)
            assert emails.unknown_in(wording) == [] and "{video_link}" in wording.body
            assert (wording != english) == (code != "en"), code
