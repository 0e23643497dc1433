"""Attendees' answers arrive from the organizer's calendar (incremental sync and push), are stored on the
participants with their history, and a decline tells the organizer once."""

from datetime import date, timedelta

import pytest

from calendars.tasks import calendar_sync_task
from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite, Interview, Participant
from scheduling.selectors import declined_invitations
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.conftest import pushing  # noqa: F401  (the live app with push switched on)
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections
from tests.calendars.test_push import wait_for

from .helpers import invite_of, schedule

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]
SOON = (date.today() + timedelta(days=10)).isoformat()  # inside the window the sync reads


def participant(interview: Interview, email: str) -> Participant:
    with across_tenants("test setup"):
        return Participant.objects.get(interview=interview, email=email)


def sync(capture=None, *, full: bool = False) -> None:
    [connection] = connections()
    if capture is None:
        calendar_sync_task.delay(company_id=connection.company_id, connection_id=connection.pk, full=full)
        return
    with capture(execute=True):
        calendar_sync_task.delay(company_id=connection.company_id, connection_id=connection.pk, full=full)


def answer(providers, provider, account, interview, email, response) -> None:
    """The attendee answers in their calendar app: the organizer's event records it (the sandbox's control API)."""
    providers.state.answer_event(provider, account, invite_of(interview).provider_event_id, attendee=email,
                                 response=response)


def decline_emails(owner) -> list[Message]:
    with across_tenants("test setup"):
        return list(Message.objects.filter(audience=Message.Audience.TEAM, subject__contains="declined",
                                           to__contains=[{"email": owner.user.email}]))


def scheduled_with_interviewer(owner_client, acme_candidate, interviewer, capture, **channels) -> Interview:
    return schedule(owner_client, acme_candidate, capture=capture,
                    step1_fields={"date": SOON, "interviewers": [interviewer.pk]},
                    **({"interviewers_calendar": "on"} | channels))


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_stores_an_acceptance_from_the_incremental_sync_with_its_history(
    providers, owner_client, interviewer, acme_candidate, provider, account, capture
):
    connect(owner_client, provider, account, capture)
    interview = scheduled_with_interviewer(owner_client, acme_candidate, interviewer, capture)
    sync(capture, full=True)  # the organizer's calendar now holds the event, nobody has answered
    assert participant(interview, interviewer.user.email).response == Participant.Response.NEEDS_ACTION

    answer(providers, provider, account, interview, interviewer.user.email, "accepted")
    sync(capture)  # incremental

    stored = participant(interview, interviewer.user.email)
    assert stored.response == Participant.Response.ACCEPTED and stored.response_at is not None
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert '<span class="badge text-bg-success">Accepted</span>' in page
    name = interviewer.user.display_name
    assert f"{name} accepted" in page  # the history
    candidate_page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert f'{name}: <span class="badge text-bg-success">Accepted</span>' in candidate_page

    sync(capture)  # nothing new: no second history entry
    assert owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode().count(f"{name} accepted") == 1


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_tells_the_organizer_once_of_a_decline_and_raises_the_alert(
    providers, owner_client, owner, interviewer, acme_candidate, provider, account, capture
):
    connect(owner_client, provider, account, capture)
    interview = scheduled_with_interviewer(owner_client, acme_candidate, interviewer, capture)
    sync(capture, full=True)
    assert decline_emails(owner) == []

    answer(providers, provider, account, interview, interviewer.user.email, "declined")
    sync(capture)
    sync(capture, full=True)  # the same decline seen again is not news

    [email] = decline_emails(owner)
    assert email.subject == f"{interviewer.user.display_name} declined: {interview.title}"
    assert f"/acme/interviews/{interview.pk}/" in email.text_body
    with across_tenants("test setup"):
        assert [p.email for p in declined_invitations(owner)] == [interviewer.user.email]
        assert list(declined_invitations(interviewer)) == []  # the organizer's alert, not the interviewer's
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert '<span class="badge text-bg-danger">Declined</span>' in page

    answer(providers, provider, account, interview, interviewer.user.email, "tentative")
    sync(capture)
    assert participant(interview, interviewer.user.email).response == Participant.Response.TENTATIVE
    with across_tenants("test setup"):
        assert list(declined_invitations(owner)) == []
    assert len(decline_emails(owner)) == 1


def test_it_matches_answers_whatever_the_case_of_the_address(providers, owner_client, interviewer, acme_candidate,
                                                              capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture)
    interview = scheduled_with_interviewer(owner_client, acme_candidate, interviewer, capture)
    state = providers.state
    with state.lock:  # the provider reports the address in another case than we invited it with
        event = state.find_instance(state.account("google", GOOGLE_ACCOUNT), invite_of(interview).provider_event_id)
        event.event.attendees = tuple(a._replace(email=a.email.upper(), response="accepted")
                                      for a in event.event.attendees)
        state.touch(event.event, "updated")
    sync(capture, full=True)
    assert participant(interview, interviewer.user.email).response == Participant.Response.ACCEPTED


def test_it_says_where_answers_to_email_invitations_go(providers, owner_client, interviewer, acme_candidate, capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT, capture)
    interview = scheduled_with_interviewer(owner_client, acme_candidate, interviewer, capture)  # candidate: email
    page = owner_client.get(f"/acme/interviews/{interview.pk}/").content.decode()
    assert "Answers to email invitations arrive in your mailbox." in page

    calendar_only = schedule(owner_client, acme_candidate, capture=capture,
                             step1_fields={"date": SOON, "interviewers": [interviewer.pk]},
                             candidate_calendar="on", candidate_email=None, interviewers_calendar="on",
                             interviewers_email=None)
    page = owner_client.get(f"/acme/interviews/{calendar_only.pk}/").content.decode()
    assert "Answers to email invitations arrive in your mailbox." not in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_stores_an_answer_that_arrives_by_push(pushing, owner_client, interviewer, acme_candidate,  # noqa: F811
                                                  provider, account):
    connect(owner_client, provider, account)  # outside a transaction: the sync and channel set-up run at once
    interview = schedule(owner_client, acme_candidate, step1_fields={"date": SOON, "interviewers": [interviewer.pk]},
                         interviewers_calendar="on")
    assert invite_of(interview).status == CalendarInvite.Status.CREATED

    answer(pushing, provider, account, interview, interviewer.user.email, "accepted")  # no sync of ours asked for

    wait_for(lambda: participant(interview, interviewer.user.email).response == Participant.Response.ACCEPTED)


def test_the_decline_email_speaks_the_organizers_language(owner_client, owner, interviewer, acme_candidate):
    from scheduling.answers import _tell_organizer_of_decline

    interview = schedule(owner_client, acme_candidate, step1_fields={"date": SOON, "interviewers": [interviewer.pk]})
    owner.user.language = "de"
    owner.user.save(update_fields=["language"])
    with across_tenants("test setup"):
        interview = Interview.objects.select_related("organizer__user", "company", "candidate").get(pk=interview.pk)
        participant = Participant.objects.get(interview=interview, email=interviewer.user.email)
        _tell_organizer_of_decline(interview, participant)
    with across_tenants("test setup"):
        [email] = Message.objects.filter(audience=Message.Audience.TEAM, to__contains=[{"email": owner.user.email}])
    assert email.subject == f"{interviewer.user.display_name} hat abgelehnt: {interview.title}"
    assert "hat die Einladung zu" in email.text_body and " Uhr (" in email.text_body
