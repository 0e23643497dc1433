"""An organizer with Google and Outlook connected chooses which calendar sends the invitation: the choice shows only
with two working connections, follows the one marked "Use for invitations", is kept on the interview (and the
scheduling link), and reschedules and cancels go through the kept one, by email when it has been disconnected."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from scheduling.models import CalendarInvite, Interview, InvitationCalendar, Participant, SchedulingRequest
from scheduling.self_scheduling import offered_slots, scheduling_request_book
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.factories import connected_calendar
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections
from tests.calendars.test_provider_events import outbox, stored
from tests.conftest import make_member

from .helpers import all_messages_of, calendar_part, invite_of, reload, schedule, step1, step2_defaults

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers


def both(client):
    """Google first, then Outlook: Google is the default until another is marked."""
    connect(client, "google", GOOGLE_ACCOUNT)
    connect(client, "microsoft", OUTLOOK_ACCOUNT)
    google, outlook = connections()
    assert (google.provider, outlook.provider) == ("google", "microsoft")
    return google, outlook


def events_in(sandbox, provider: str, account: str, title: str) -> list:
    state = sandbox.state
    with state.lock:
        return [e for c in state.account(provider, account).calendars.values() for e in c.events.values()
                if e.summary == title]


def reschedule(client, interview, capture, **fields):
    data = {"kind": "interview", "title": interview.title, "date": "2030-06-13", "start_time": "09:30",
            "duration": "45", "time_zone": "Europe/Berlin", "location": "HQ, Room 7", **fields}
    with capture(execute=True):
        return client.post(f"/acme/interviews/{interview.pk}/reschedule/", data)


def test_it_offers_send_from_only_with_two_working_connections(providers, owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    page = owner_client.get(url).content.decode()
    assert 'data-testid="send-from"' not in page  # one calendar: nothing changes
    assert f"Calendar (Google Calendar · {GOOGLE_ACCOUNT})" in page

    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    google, outlook = connections()
    response = owner_client.get(url)
    page = response.content.decode()
    assert 'data-testid="send-from"' in page
    assert f"Google Calendar · {GOOGLE_ACCOUNT}" in page and f"Outlook Calendar · {OUTLOOK_ACCOUNT}" in page
    assert response.context["form"]["send_from"].value() == str(google.pk)  # the first connected

    with across_tenants("test setup"):  # Outlook needs reconnecting: one working connection, no choice
        type(outlook).objects.filter(pk=outlook.pk).update(status="reconnect_needed")
    assert 'data-testid="send-from"' not in owner_client.get(url).content.decode()


def test_it_creates_the_event_in_outlook_when_chosen_and_reschedules_it_there(
    providers, owner_client, interviewer, acme_candidate, capture
):
    google, outlook = both(owner_client)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk]}, interviewers_calendar="on",
                         send_from=str(outlook.pk))

    interview = reload(interview)
    assert interview.calendar_connection_id == outlook.pk
    assert interview.calendar_account == f"Outlook Calendar · {OUTLOOK_ACCOUNT}"
    invite = invite_of(interview)
    assert invite.provider == "microsoft" and invite.connection_id == outlook.pk
    assert invite.status == CalendarInvite.Status.CREATED
    assert stored(providers, "microsoft", OUTLOOK_ACCOUNT, invite.provider_event_id) is not None
    assert events_in(providers, "google", GOOGLE_ACCOUNT, interview.title) == []

    # Marking Google for invitations afterwards does not move this interview: it stays with Outlook.
    assert owner_client.post(f"/acme/calendars/{google.pk}/invitations/").status_code == 302
    response = reschedule(owner_client, interview, capture, interviewers=[interviewer.pk])
    assert response.status_code == 302
    moved = reload(interview)
    event = stored(providers, "microsoft", OUTLOOK_ACCOUNT, invite.provider_event_id)
    assert moved.sequence == 1 and event.start == int(moved.start.timestamp())
    assert invite_of(interview).status == CalendarInvite.Status.UPDATED
    assert ("update", interviewer.user.email) in outbox(providers)
    assert events_in(providers, "google", GOOGLE_ACCOUNT, interview.title) == []


def test_the_default_follows_the_connection_marked_for_invitations(
    providers, owner_client, teammate_client, interviewer, acme_candidate, capture
):
    google, outlook = both(owner_client)
    # Only the owner of a connection marks it (an admin who can manage it does not choose for its owner).
    assert teammate_client.post(f"/acme/calendars/{outlook.pk}/invitations/").status_code == 404
    assert owner_client.get(f"/acme/calendars/{outlook.pk}/invitations/").status_code == 405

    response = owner_client.post(f"/acme/calendars/{outlook.pk}/invitations/", follow=True)
    assert f"Your invitations are sent from Outlook Calendar · {OUTLOOK_ACCOUNT}" in response.content.decode()
    with across_tenants("test setup"):
        assert InvitationCalendar.objects.get().connection_id == outlook.pk
        assert AuditEntry.objects.filter(action="calendar.invitations_from", target_id=outlook.pk).exists()

    # Step 1's meeting box follows the marked calendar, and step 2 starts on it.
    assert "Add a Microsoft Teams link" in owner_client.get(
        f"/acme/candidates/{acme_candidate.pk}/schedule/").content.decode()
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    assert step2_defaults(owner_client, url)["send_from"] == str(outlook.pk)

    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk]}, interviewers_calendar="on")
    assert invite_of(interview).provider == "microsoft"
    assert reload(interview).calendar_connection_id == outlook.pk

    # Choosing Google in step 2 for a meeting asked for in step 1 makes a Google Meet, not Teams.
    met = schedule(owner_client, acme_candidate, capture=capture,
                   step1_fields={"interviewers": [interviewer.pk], "online_meeting": "on", "location": ""},
                   interviewers_calendar="on", send_from=str(google.pk))
    met = reload(met)
    assert met.online_meeting == "google_meet" and invite_of(met).provider == "google"
    assert met.video_link.startswith("https://meet.google.com/")


def test_the_calendar_page_marks_the_calendar_that_sends_invitations(providers, owner_client, owner):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    page = Template("{% load invitation_calendar %}{% for c in connections %}[{% invitation_calendar_choice c %}]"
                    "{% endfor %}")

    def shown() -> str:
        with across_tenants("test setup"):
            return page.render(Context({"connections": connections(), "membership": owner, "company": owner.company,
                                        "csrf_token": "token"}))

    assert shown().replace("\n", "") == "[]"  # one calendar: no choice to make
    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    google, outlook = connections()
    text = shown()
    assert text.count("Sends your invitations") == 1 and text.count("Use for invitations") == 1
    assert text.index("Sends your invitations") < text.index("Use for invitations")  # Google, listed first
    assert f'action="/acme/calendars/{outlook.pk}/invitations/"' in text

    owner_client.post(f"/acme/calendars/{outlook.pk}/invitations/")
    text = shown()
    assert f'action="/acme/calendars/{google.pk}/invitations/"' in text
    assert text.index("Use for invitations") < text.index("Sends your invitations")


def test_a_disconnected_chosen_calendar_is_said_and_people_are_told_by_email(
    providers, owner_client, interviewer, acme_candidate, capture
):
    google, outlook = both(owner_client)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk]}, interviewers_calendar="on",
                         interviewers_email=None, send_from=str(outlook.pk))
    assert owner_client.post(f"/acme/calendars/{outlook.pk}/disconnect/").status_code == 302
    before = len(outbox(providers))

    page = owner_client.get(f"/acme/interviews/{interview.pk}/reschedule/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Outlook Calendar · {OUTLOOK_ACCOUNT} is no longer connected" in text
    assert 'data-testid="calendar-lost"' in text

    response = reschedule(owner_client, interview, capture, interviewers=[interviewer.pk])
    assert response.status_code == 302
    moved = reload(interview)
    assert moved.sequence == 1
    with across_tenants("test setup"):
        person = Participant.objects.get(interview=interview, role=Participant.Role.INTERVIEWER)
        assert (person.by_email, person.by_calendar) == (True, False)
    update = [m for m in all_messages_of(interview) if interviewer.user.email in str(m.to)][-1]
    assert b"METHOD:REQUEST" in calendar_part(update)
    assert len(outbox(providers)) == before  # Google was not used instead
    assert events_in(providers, "google", GOOGLE_ACCOUNT, interview.title) == []
    history = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "is no longer connected: the people it invited were told by email" in history
    assert f"Outlook Calendar · {OUTLOOK_ACCOUNT} (disconnected)" in history
    assert 'data-testid="calendar-disconnected"' in history

    # Inviting by calendar through the lost calendar is refused with the reason, not a 500.
    cancel_page = owner_client.get(f"/acme/interviews/{interview.pk}/cancel/")
    assert cancel_page.status_code == 200
    with capture(execute=True):
        response = owner_client.post(f"/acme/interviews/{interview.pk}/cancel/")
    assert response.status_code == 302
    assert reload(interview).status == Interview.Status.CANCELLED
    cancellation = [m for m in all_messages_of(interview) if interviewer.user.email in str(m.to)][-1]
    assert b"METHOD:CANCEL" in calendar_part(cancellation)


def test_a_cancel_after_the_calendar_was_disconnected_tells_the_calendar_invited_by_email(
    providers, owner_client, interviewer, acme_candidate, capture
):
    google, outlook = both(owner_client)
    interview = schedule(owner_client, acme_candidate, capture=capture, candidate_calendar="on",
                         candidate_email=None, interviewers_email=None, interviewers_calendar="on",
                         step1_fields={"interviewers": [interviewer.pk]}, send_from=str(outlook.pk))
    assert all_messages_of(interview) == []
    owner_client.post(f"/acme/calendars/{outlook.pk}/disconnect/")

    page = owner_client.get(f"/acme/interviews/{interview.pk}/cancel/").content.decode()
    assert f"Outlook Calendar · {OUTLOOK_ACCOUNT} is no longer connected" in page
    with capture(execute=True):
        response = owner_client.post(f"/acme/interviews/{interview.pk}/cancel/", follow=True)
    assert response.status_code == 200
    assert "is no longer connected" in response.content.decode()
    sent = all_messages_of(interview)
    assert sorted(m.audience for m in sent) == ["candidate", "interviewers"]
    assert all(b"METHOD:CANCEL" in calendar_part(m) for m in sent)
    assert invite_of(interview).status != CalendarInvite.Status.FAILED  # nothing was tried through a lost calendar


def test_a_scheduling_link_keeps_the_calendar_chosen_and_the_booking_uses_it(
    providers, owner_client, owner, acme, acme_candidate, capture
):
    google, outlook = both(owner_client)
    dana = make_member(acme, "dana@acme.test", "interviewer", "Dana Dev")
    connected_calendar(dana)
    first = date.today() + timedelta(days=7)
    data = {
        "action": "preview", "kind": "interview", "title": "", "duration": "60",
        "first_day": first.isoformat(), "last_day": (first + timedelta(days=6)).isoformat(),
        "time_zone": "Europe/Berlin", "notice_hours": "24", "buffer_before": "0", "buffer_after": "0",
        "location": "", "video_link": "", "note": "", "pool_size": "1", "candidate_email": "on",
        "interviewers_calendar": "on", "panel": [dana.pk],
        "subject": "Pick a time", "body": "Please pick a time: {scheduling_link}",
    }
    page = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/self-schedule/", data).content.decode()
    assert 'data-testid="send-from"' in page

    with capture(execute=True):
        response = owner_client.post(f"/acme/candidates/{acme_candidate.pk}/self-schedule/",
                                     {**data, "action": "send", "send_from": str(outlook.pk)})
    assert response.status_code == 302
    with across_tenants("test setup"):
        scheduling_request = SchedulingRequest.objects.get()
        assert scheduling_request.calendar_connection_id == outlook.pk
        # Marking Google now does not change where the link's interview is sent from.
        owner_client.post(f"/acme/calendars/{google.pk}/invitations/")
        slot = offered_slots(scheduling_request)[0]
        with capture(execute=True):
            interview = scheduling_request_book(scheduling_request=scheduling_request, start=slot.start)
    invite = invite_of(interview)
    assert invite.provider == "microsoft" and reload(interview).calendar_connection_id == outlook.pk
    assert stored(providers, "microsoft", OUTLOOK_ACCOUNT, invite.provider_event_id) is not None
    assert events_in(providers, "google", GOOGLE_ACCOUNT, interview.title) == []


def test_a_scheduling_link_whose_calendar_was_disconnected_still_books_by_email(
    providers, owner_client, owner, acme, acme_candidate, capture
):
    google, outlook = both(owner_client)
    dana = make_member(acme, "dana@acme.test", "interviewer", "Dana Dev")
    connected_calendar(dana)
    first = date.today() + timedelta(days=7)
    data = {
        "action": "send", "kind": "interview", "title": "", "duration": "60",
        "first_day": first.isoformat(), "last_day": (first + timedelta(days=6)).isoformat(),
        "time_zone": "Europe/Berlin", "notice_hours": "24", "buffer_before": "0", "buffer_after": "0",
        "location": "", "video_link": "", "note": "", "pool_size": "1", "candidate_calendar": "on",
        "interviewers_calendar": "on", "panel": [dana.pk], "send_from": str(outlook.pk),
        "subject": "Pick a time", "body": "Please pick a time: {scheduling_link}",
    }
    with capture(execute=True):
        assert owner_client.post(f"/acme/candidates/{acme_candidate.pk}/self-schedule/", data).status_code == 302
    owner_client.post(f"/acme/calendars/{outlook.pk}/disconnect/")
    with across_tenants("test setup"):
        scheduling_request = SchedulingRequest.objects.get()
        slot = offered_slots(scheduling_request)[0]
        with capture(execute=True):
            interview = scheduling_request_book(scheduling_request=scheduling_request, start=slot.start)
        assert not CalendarInvite.objects.filter(interview=interview).exists()
        assert set(Participant.objects.filter(interview=interview).values_list("by_email", "by_calendar")) == {
            (True, False)}
        booked = AuditEntry.objects.filter(action="scheduling_link.booked").get()
        assert "is no longer connected, so everyone was invited by email" in booked.summary
    assert sorted(m.audience for m in all_messages_of(interview)) == ["candidate", "interviewers"]
    assert events_in(providers, "google", GOOGLE_ACCOUNT, interview.title) == []


def test_older_interviews_without_a_kept_calendar_use_the_organizers_calendar_for_invitations(
    providers, owner_client, owner, interviewer, acme_candidate, capture
):
    google, outlook = both(owner_client)
    owner_client.post(f"/acme/calendars/{outlook.pk}/invitations/")
    berlin = ZoneInfo("Europe/Berlin")
    with across_tenants("test setup"):  # as rows from before the choice existed: no kept calendar
        interview = Interview.objects.create(
            company=owner.company, candidate=acme_candidate, organizer=owner, title="Older interview",
            start=datetime(2030, 6, 12, 14, tzinfo=berlin), end=datetime(2030, 6, 12, 15, tzinfo=berlin),
            time_zone="Europe/Berlin")
        Participant.objects.create(company=owner.company, interview=interview, role=Participant.Role.INTERVIEWER,
                                   member=interviewer, name="Ivan Interviewer", email=interviewer.user.email,
                                   time_zone="Europe/Berlin", by_email=True)
    page = owner_client.get(f"/acme/interviews/{interview.pk}/reschedule/").content.decode()
    assert f"Calendar (Outlook Calendar · {OUTLOOK_ACCOUNT})" in page
    response = reschedule(owner_client, interview, capture, title="Older interview", interviewers=[interviewer.pk],
                          emails_interviewers="1", interviewers_email="on", interviewers_calendar="on",
                          interviewers_subject="Moved", interviewers_body="Moved to {event_time}.")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert invite_of(interview).provider == "microsoft"
