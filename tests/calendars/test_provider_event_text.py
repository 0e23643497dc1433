"""What attendees read in the provider's event, and how the organizer's cancel reaches them.

Scheduled through the wizard with the calendar channel, as a recruiter does, against both sandbox providers.
"""

from urllib.parse import unquote

import pytest
from django_scopes import scope

from calendars.models import CalendarConnection, Event
from calendars.sync.engine import connection_sync
from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import stored
from tests.scheduling.helpers import schedule

pytestmark = pytest.mark.django_db

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]
VIDEO = "https://meet.example.test/abc-defg-hij"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def schedule_video_call(client, candidate, interviewer, capture, provider: str, account: str):
    connect(client, provider, account)
    return schedule(client, candidate, capture=capture,
                    step1_fields={"interviewers": [interviewer.pk], "location": "", "video_link": VIDEO,
                                  "note": "Bring your portfolio."},
                    interviewers_calendar="on")


def invite_of(interview) -> CalendarInvite:
    with across_tenants("test setup"):
        return CalendarInvite.objects.get(interview=interview)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_shows_the_video_link_once_in_the_event(providers, owner_client, acme_candidate, interviewer, capture,
                                                   provider, account):
    interview = schedule_video_call(owner_client, acme_candidate, interviewer, capture, provider, account)

    event = stored(providers, provider, account, invite_of(interview).provider_event_id)
    description = event.get_extra("description")
    # Google shows text; Graph's HTML names the link twice, as the address and as the text of one anchor.
    shown = description.count(VIDEO) if provider == "google" else description.count(f'<a href="{VIDEO}">{VIDEO}</a>')
    assert shown == 1 and description.count(VIDEO) == (1 if provider == "google" else 2)
    assert description.count("Video call:") == 1
    assert "Bring your portfolio." in description
    assert event.location == VIDEO  # no place given: the link is where people go


def test_it_cancels_an_outlook_meeting_with_graphs_cancel_action(providers, owner_client, acme_candidate,
                                                                 interviewer, capture, settings):
    settings.CALENDAR_SYNC_DAYS_AHEAD = 10 * 365  # the interview is in 2030
    interview = schedule_video_call(owner_client, acme_candidate, interviewer, capture, "microsoft", OUTLOOK_ACCOUNT)
    event_id = invite_of(interview).provider_event_id
    sync()
    assert event_id in synced_ids()  # the interview is busy time in the organizer's calendar

    with capture(execute=True):
        owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")

    writes = [(r["method"], unquote(r["path"].split("/events/", 1)[1]), r["status"])
              for r in providers.state.request_log("microsoft") if "/events/" in r["path"] and r["method"] != "GET"]
    assert writes == [("POST", f"{event_id}/cancel", 202)]
    assert [(o["kind"], o["attendee"], o.get("comment")) for o in providers.state.outbox_entries()
            if o["kind"] == "cancel"] == [("cancel", interviewer.user.email, f"{interview.title} has been cancelled.")]
    # Graph moves a cancelled meeting out of the organizer's calendar: the delta feed reports it removed.
    sync()
    assert event_id not in synced_ids()


def sync() -> None:
    with across_tenants("test setup"):
        connections = list(CalendarConnection.objects.all())
    for connection in connections:
        with scope(company=connection.company_id):  # as the sync task runs
            connection_sync(connection_id=connection.pk)


def synced_ids() -> set[str]:
    with across_tenants("test setup"):
        return set(Event.objects.values_list("provider_event_id", flat=True))
