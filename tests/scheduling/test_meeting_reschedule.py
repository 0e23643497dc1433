"""An interview whose video link is the calendar's meeting (Meet, Teams) can be moved like any other: through the
reschedule page as a browser posts it (the link prefilled in its field), and by applying a move made in the
calendar. Both were refused with "Either type a video link or let your calendar make the meeting, not both"."""

from datetime import timedelta

import pytest

from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import stored

from .helpers import all_messages_of, calendar_part, invite_of, reload, schedule
from .test_answers import SOON, sync
from .test_meeting_links import provider_join_url
from .test_outside_changes import moved_in_calendar, post

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


def with_meeting(client, candidate, interviewer, capture):
    interview = schedule(client, candidate, capture=capture,
                         step1_fields={"date": SOON, "start_time": "10:00", "interviewers": [interviewer.pk],
                                       "online_meeting": "on", "location": ""},
                         interviewers_calendar="on", interviewers_email=None)
    interview = reload(interview)
    assert interview.video_link.startswith("https://")
    return interview


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_applies_a_move_made_in_the_calendar_to_an_interview_with_a_meeting(
    providers, owner_client, interviewer, acme_candidate, capture, provider, account
):
    connect(owner_client, provider, account, capture)
    interview = with_meeting(owner_client, acme_candidate, interviewer, capture)
    link = interview.video_link
    sync(capture, full=True)
    start = moved_in_calendar(providers, provider, account, interview)
    sync(capture)
    assert invite_of(interview).outside_change["moved"]

    response = post(owner_client, interview, "apply", capture)

    assert response.status_code == 302
    applied = reload(interview)
    assert applied.start == start and applied.sequence == 1 and applied.video_link == link
    assert invite_of(interview).outside_change == {}
    update = all_messages_of(interview)[-1]
    assert update.audience == "candidate" and update.text_body.count(link) == 1
    assert b"SEQUENCE:1" in calendar_part(update)


def test_it_reschedules_through_the_page_with_the_meeting_link_prefilled(
    providers, owner_client, interviewer, acme_candidate, capture
):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture)
    interview = with_meeting(owner_client, acme_candidate, interviewer, capture)
    link = interview.video_link
    page = owner_client.get(f"/acme/interviews/{interview.pk}/reschedule/")
    assert page.context["form"]["video_link"].value() == link  # what the browser posts back

    with capture(execute=True):
        response = owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": SOON, "start_time": "11:00", "duration": "60",
            "time_zone": "Europe/Berlin", "location": "", "video_link": link, "interviewers": [interviewer.pk]})

    assert response.status_code == 302, response.content.decode()[:2000]
    moved = reload(interview)
    assert moved.start == interview.start + timedelta(hours=1) and moved.video_link == link
    event = stored(providers, "google", GOOGLE_ACCOUNT, invite_of(interview).provider_event_id)
    assert provider_join_url(event) == link and event.start == int(moved.start.timestamp())
