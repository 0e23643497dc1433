"""Changes made to the interview's event in the organizer's calendar: found by the sync, shown on the interview page,
applied, restored, or (deleted) answered with a cancel or a new event. Our own changes are never reported."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite, Interview
from scheduling.selectors import outside_changes
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import outbox, stored

from .helpers import all_messages_of, calendar_part, invite_of, reload, schedule
from .test_answers import SOON, sync

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


LABELS = {"google": "Google Calendar", "microsoft": "Outlook Calendar"}
BERLIN = ZoneInfo("Europe/Berlin")


def scheduled(owner_client, acme_candidate, interviewer, capture) -> Interview:
    """Candidate by email (with .ics), interviewer by the organizer's calendar; the calendar synced once."""
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"date": SOON, "start_time": "10:00", "interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    sync(capture, full=True)
    return interview


def moved_in_calendar(providers, provider, account, interview, *, days=1, hour=14) -> datetime:
    """Someone drags the event in their calendar app to another day and hour (Berlin time)."""
    local = interview.start.astimezone(BERLIN) + timedelta(days=days)
    start = local.replace(hour=hour, minute=0).astimezone(UTC)
    providers.state.move_event(provider, account, invite_of(interview).provider_event_id, start=start)
    return start


def page_of(client, interview) -> str:
    return client.get(f"/acme/interviews/{interview.pk}/").content.decode()


def post(client, interview, action: str, capture):
    with capture(execute=True):
        return client.post(f"/acme/interviews/{interview.pk}/calendar-change/{action}/")


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_shows_a_move_and_applies_it_with_updates_to_those_invited_by_email(
    providers, owner_client, owner, interviewer, acme_candidate, provider, account, capture
):
    connect(owner_client, provider, account, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    emails_before = len(all_messages_of(interview))
    start = moved_in_calendar(providers, provider, account, interview)
    sync(capture)

    change = invite_of(interview).outside_change
    assert change["moved"] and datetime.fromisoformat(change["start"]) == start
    local = start.astimezone(BERLIN)
    expected = f"Moved in {LABELS[provider]} to {local:%a} 14:00–15:00"
    page = page_of(owner_client, interview)
    assert expected in page and 'data-testid="outside-change"' in page
    assert "Apply" in page and "Restore ours" in page
    assert reload(interview).start != start  # nothing changes without the recruiter
    with across_tenants("test setup"):
        assert [i.interview_id for i in outside_changes(owner)] == [interview.pk]

    response = post(owner_client, interview, "apply", capture)
    assert response.status_code == 302

    applied = reload(interview)
    assert applied.start == start and applied.end == start + timedelta(hours=1)
    assert applied.sequence == 1
    update = all_messages_of(interview)[emails_before:]
    assert [m.audience for m in update] == ["candidate"]  # the interviewer's calendar already has it
    assert b"SEQUENCE:1" in calendar_part(update[0]) and b"METHOD:REQUEST" in calendar_part(update[0])
    assert invite_of(interview).outside_change == {}
    assert "Rescheduled from" in page_of(owner_client, interview)

    sync(capture)  # the calendar and the interview agree: nothing to report
    assert invite_of(interview).outside_change == {}
    assert 'data-testid="outside-change"' not in page_of(owner_client, interview)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_restores_our_time_in_the_calendar(providers, owner_client, interviewer, acme_candidate, provider,
                                              account, capture):
    connect(owner_client, provider, account, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    emails_before = len(all_messages_of(interview))
    moved_in_calendar(providers, provider, account, interview)
    sync(capture)
    assert invite_of(interview).outside_change["moved"]

    post(owner_client, interview, "restore", capture)

    event = stored(providers, provider, account, invite_of(interview).provider_event_id)
    assert event.start == int(interview.start.timestamp()) and event.end == int(interview.end.timestamp())
    assert reload(interview).sequence == 0 and len(all_messages_of(interview)) == emails_before
    sync(capture)
    assert invite_of(interview).outside_change == {}
    assert "Restored ours in" in page_of(owner_client, interview)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_offers_to_cancel_the_interview_when_the_event_is_deleted(
    providers, owner_client, interviewer, acme_candidate, provider, account, capture
):
    connect(owner_client, provider, account, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    providers.state.delete_event(provider, account, invite_of(interview).provider_event_id)
    sync(capture)

    assert invite_of(interview).outside_change == {"deleted": True}
    page = page_of(owner_client, interview)
    assert f"Deleted in {LABELS[provider]}" in page
    assert "Cancel the interview" in page and "Recreate the event" in page and "Restore ours" not in page

    post(owner_client, interview, "cancel", capture)

    assert reload(interview).is_cancelled
    invite = invite_of(interview)
    assert invite.status == CalendarInvite.Status.CANCELLED and invite.outside_change == {}
    cancellation = all_messages_of(interview)[-1]
    assert cancellation.audience == "candidate" and b"METHOD:CANCEL" in calendar_part(cancellation)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_recreates_a_deleted_event(providers, owner_client, interviewer, acme_candidate, provider, account,
                                      capture):
    connect(owner_client, provider, account, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    deleted_id = invite_of(interview).provider_event_id
    providers.state.delete_event(provider, account, deleted_id)
    sync(capture)

    post(owner_client, interview, "recreate", capture)

    invite = invite_of(interview)
    # Google keeps a deleted event and brings it back; Outlook cannot, so a new event is made.
    assert invite.status == CalendarInvite.Status.CREATED
    assert (invite.provider_event_id == deleted_id) == (provider == "google")
    event = stored(providers, provider, account, invite.provider_event_id)
    assert not event.cancelled and event.start == int(interview.start.timestamp())
    assert [a.email for a in event.attendees if a.email != account] == [interviewer.user.email]
    assert outbox(providers).count(("invite", interviewer.user.email)) == 2
    sync(capture)
    assert invite_of(interview).outside_change == {} and not reload(interview).is_cancelled


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_does_not_report_our_own_reschedule(providers, owner_client, interviewer, acme_candidate, provider,
                                               account, capture):
    connect(owner_client, provider, account, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    later = (date.fromisoformat(SOON) + timedelta(days=1)).isoformat()
    with capture():  # the calendar task has not run yet when the sync comes: the provider still has the old time
        owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": later, "start_time": "11:00", "duration": "60",
            "time_zone": "Europe/Berlin", "location": "HQ, Room 4", "interviewers": [interviewer.pk]})
    providers.state.answer_event(provider, account, invite_of(interview).provider_event_id,
                                 attendee=interviewer.user.email, response="accepted")  # the event shows up
    sync(capture)
    assert invite_of(interview).outside_change == {}

    with capture(execute=True):  # now the task writes our new time, and the sync brings it back
        owner_client.post(f"/acme/interviews/{interview.pk}/reschedule/", {
            "kind": "interview", "title": interview.title, "date": later, "start_time": "12:00", "duration": "60",
            "time_zone": "Europe/Berlin", "location": "HQ, Room 4", "interviewers": [interviewer.pk]})
    sync(capture)
    assert invite_of(interview).outside_change == {}
    assert 'data-testid="outside-change"' not in page_of(owner_client, interview)


def test_it_reports_people_changed_in_the_calendar(providers, owner_client, interviewer, acme_candidate,
                                                   capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    state = providers.state
    with state.lock:
        event = stored(providers, "google", GOOGLE_ACCOUNT, invite_of(interview).provider_event_id)
        event.attendees = (*event.attendees, event.attendees[0]._replace(email="guest@example.test", name="Guest"))
        state.touch(event, "updated")
    sync(capture)

    assert invite_of(interview).outside_change["added"] == ["guest@example.test"]
    page = page_of(owner_client, interview)
    assert "People changed in Google Calendar: added Guest" in page
    assert "Restore ours" in page and ">Apply<" not in page

    post(owner_client, interview, "restore", capture)
    attendees = stored(providers, "google", GOOGLE_ACCOUNT, invite_of(interview).provider_event_id).attendees
    assert "guest@example.test" not in [a.email for a in attendees]


def test_it_lets_only_recruiters_decide(providers, owner_client, interviewer, interviewer_client, acme_candidate,
                                        capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture)
    interview = scheduled(owner_client, acme_candidate, interviewer, capture)
    moved_in_calendar(providers, "google", GOOGLE_ACCOUNT, interview)
    sync(capture)
    assert interviewer_client.post(f"/acme/interviews/{interview.pk}/calendar-change/apply/").status_code in (403, 404)
    assert reload(interview).sequence == 0
    assert owner_client.get(f"/acme/interviews/{interview.pk}/calendar-change/apply/").status_code == 405
    nothing = post(owner_client, interview, "recreate", capture)  # not deleted: refused with a message
    assert nothing.status_code == 302 and invite_of(interview).outside_change["moved"]
