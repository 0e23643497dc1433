"""The calendar channel against both sandbox providers: the organizer's calendar invites whoever we ask it to."""

from datetime import date, timedelta

import pytest

from calendars.tasks import calendar_sync_task
from scheduling.models import CalendarInvite
from scheduling.tasks import calendar_invite_sync_task
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections
from tests.calendars.test_provider_events import outbox, stored

from .helpers import attachments, invite_of, messages_of, reload, schedule

pytestmark = pytest.mark.django_db

# The calendar tests' fixtures: a sandbox Google and Microsoft the app is pointed at.
sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_invites_by_calendar_once_and_follows_reschedule_and_cancel(
    providers, owner_client, interviewer, acme_candidate, provider, account, capture
):
    connect(owner_client, provider, account)
    step2 = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/invite/?draft=none", follow=True)
    assert step2.status_code == 200  # an expired draft goes back to step 1

    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on")

    invite = invite_of(interview)
    assert invite.status == CalendarInvite.Status.CREATED and invite.provider == provider
    event = stored(providers, provider, account, invite.provider_event_id)
    assert [a.email for a in event.attendees if a.email != account] == [interviewer.user.email]
    assert event.start == int(interview.start.timestamp()) and event.end == int(interview.end.timestamp())
    assert outbox(providers) == [("invite", interviewer.user.email)]
    # The interviewers' email is a plain confirmation: their calendar entry comes from the provider.
    sent = messages_of(interview)
    assert attachments(sent["interviewers"]) == []
    assert [a.content_type for a in attachments(sent["candidate"])] == [
        "text/calendar; method=REQUEST; charset=UTF-8", "application/ics"]

    calendar_invite_sync_task.delay(company_id=interview.company_id, interview_id=interview.pk)  # a retried task
    assert outbox(providers) == [("invite", interviewer.user.email)]
    assert invite_of(interview).provider_event_id == invite.provider_event_id

    with capture(execute=True):
        owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": "2030-06-13", "start_time": "09:30",
            "duration": "45", "time_zone": "Europe/Berlin", "location": "HQ, Room 7",
            "interviewers": [interviewer.pk]})
    moved = reload(interview)
    event = stored(providers, provider, account, invite.provider_event_id)
    assert moved.sequence == 1 and event.start == int(moved.start.timestamp())
    assert event.location == "HQ, Room 7"
    assert invite_of(interview).status == CalendarInvite.Status.UPDATED
    assert ("update", interviewer.user.email) in outbox(providers)

    with capture(execute=True):
        owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")
    assert invite_of(interview).status == CalendarInvite.Status.CANCELLED
    assert ("cancel", interviewer.user.email) in outbox(providers)
    assert len([e for e in outbox(providers) if e[0] == "invite"]) == 1


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_invites_the_candidate_by_calendar_without_our_email(providers, owner_client, acme_candidate, interviewer,
                                                               provider, account, capture):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         candidate_email=None, candidate_calendar="on", interviewers_calendar="on",
                         interviewers_email=None)
    assert messages_of(interview) == {}
    assert outbox(providers) == sorted([("invite", acme_candidate.email), ("invite", interviewer.user.email)])


def test_it_names_the_connected_calendar_and_disables_calendar_without_one(providers, owner_client, acme_candidate):
    from .helpers import step1

    url = step1(owner_client, acme_candidate)
    assert "connect your Google or Outlook calendar first" in owner_client.get(url).content.decode()
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    assert f"Calendar (Google Calendar · {GOOGLE_ACCOUNT})" in owner_client.get(url).content.decode()


def test_it_retries_a_rate_limit_and_creates_one_event(providers, owner_client, acme_candidate, capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    providers.state.inject_fault(path=r"/events$", method="POST", status=429, retry_after=1, count=2)
    interview = schedule(owner_client, acme_candidate, capture=capture, candidate_calendar="on")
    invite = invite_of(interview)
    assert invite.status == CalendarInvite.Status.CREATED and invite.attempts == 2
    assert outbox(providers) == [("invite", acme_candidate.email)]


def test_it_records_a_failure_and_retries_on_request(providers, owner_client, acme_candidate, capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    providers.state.inject_fault(path=r"/events$", method="POST", status=400, count=1)
    interview = schedule(owner_client, acme_candidate, capture=capture, candidate_calendar="on")
    invite = invite_of(interview)
    assert invite.status == CalendarInvite.Status.FAILED and invite.last_error
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Retry" in page and invite.last_error.split(".")[0] in page

    with capture(execute=True):
        owner_client.post(f"/acme/interviews/{interview.pk}/calendar/retry/")
    assert invite_of(interview).status == CalendarInvite.Status.CREATED
    assert outbox(providers) == [("invite", acme_candidate.email)]


def test_it_shows_responses_the_sync_brings_back(providers, owner_client, acme_candidate, capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    soon = (date.today() + timedelta(days=14)).isoformat()  # inside the window the sync reads
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"date": soon},
                         candidate_calendar="on", candidate_email=None)
    invite = invite_of(interview)
    event = stored(providers, "google", GOOGLE_ACCOUNT, invite.provider_event_id)
    with providers.state.lock:  # the candidate accepts in their calendar app
        event.attendees = tuple(a._replace(response="accepted") for a in event.attendees)
        providers.state.touch(event, "updated")
    [connection] = connections()
    with capture(execute=True):
        calendar_sync_task.delay(company_id=connection.company_id, connection_id=connection.pk, full=True)
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert '<span class="badge text-bg-success">Accepted</span>' in page


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_swaps_an_interviewer_at_the_provider(providers, owner_client, interviewer, teammate, acme_candidate,
                                                 provider, account, capture):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    with capture(execute=True):
        owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": "2030-06-12", "start_time": "14:00",
            "duration": "60", "time_zone": "Europe/Berlin", "location": "HQ, Room 4", "interviewers": [teammate.pk]})
    event = stored(providers, provider, account, invite_of(interview).provider_event_id)
    assert [a.email for a in event.attendees if a.email != account] == [teammate.user.email]
    assert ("invite", teammate.user.email) in outbox(providers)
    assert ("cancel", interviewer.user.email) in outbox(providers)
    assert messages_of(interview) == {"candidate": messages_of(interview)["candidate"]}  # no email to calendar-only
