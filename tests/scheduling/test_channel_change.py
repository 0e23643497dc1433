"""Changing how people are invited when rescheduling, against both sandbox providers: whoever moves from our
email to the organizer's calendar (or back) ends with exactly one calendar entry."""

import pytest
from django.core.exceptions import ValidationError

from recruitee.tenancy.db import across_tenants
from scheduling import services
from scheduling.models import CalendarInvite, Participant
from scheduling.plan import Plan
from scheduling.tasks import calendar_invite_sync_task
from tests import sandbox_fixtures as sandbox_testing
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect
from tests.calendars.test_provider_events import stored

from .change_helpers import entries, messages_to, ours, page_defaults, post, reschedule_url, theirs
from .helpers import invite_of, messages_about, reload, schedule

pytestmark = pytest.mark.django_db

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers

ACCOUNTS = [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)]


class Inboxes:
    """What each person received, step by step: the provider's invitations and our emails' calendar parts."""

    def __init__(self, providers, interview) -> None:
        self.providers, self.interview = providers, interview
        self.outbox_seen, self.messages_seen = 0, set()
        self.steps: list[tuple[list[dict], list]] = []

    def step(self) -> None:
        outbox = self.providers.state.outbox_entries()
        new_outbox, self.outbox_seen = outbox[self.outbox_seen:], len(outbox)
        with across_tenants("test setup"):
            new_messages = [m for m in messages_about(self.interview) if m.pk not in self.messages_seen]
        self.messages_seen |= {m.pk for m in new_messages}
        self.steps.append((new_outbox, new_messages))

    def calendar(self, email: str, *, provider_first: bool = True) -> set[str]:
        """The entries `email`'s calendar shows, reading each step's messages in the order the app sends them:
        the calendar task (queued first) before our emails; or the other way round."""
        deliveries = []
        for outbox, messages in self.steps:
            provider = [theirs(o) for o in outbox if o["attendee"].lower() == email.lower()]
            mail = [d for m in messages if email in [a["email"] for a in m.to] and (d := ours(m)) is not None]
            deliveries += provider + mail if provider_first else mail + provider
        return entries(deliveries)


def _switch(client, interview, capture, **channels):
    data = page_defaults(client, reschedule_url(interview))
    for name in ("candidate_email", "candidate_calendar", "interviewers_email", "interviewers_calendar"):
        data.pop(name, None)
    data.update({name: "on" for name, on in channels.items() if on})
    return post(client, reschedule_url(interview), data, capture)


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_moves_an_interviewer_from_email_to_calendar_with_one_entry(providers, owner_client, interviewer,
                                                                        acme_candidate, provider, account, capture):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture,
                         step1_fields={"interviewers": [interviewer.pk]})
    inboxes = Inboxes(providers, interview)
    inboxes.step()
    with across_tenants("test setup"):  # everyone by email: no provider event yet
        assert not CalendarInvite.objects.filter(interview=interview).exists()
    email = interviewer.user.email
    assert inboxes.calendar(email) == {interview.ical_uid}

    page = owner_client.get(reschedule_url(interview)).content.decode()
    assert 'data-testid="notify-interviewers"' in page
    _switch(owner_client, interview, capture, candidate_email=True, interviewers_calendar=True)
    inboxes.step()

    moved = reload(interview)
    assert moved.sequence == 1
    with across_tenants("test setup"):
        person = Participant.objects.get(interview=interview, email=email)
    assert (person.by_email, person.by_calendar) == (False, True)
    invite = invite_of(interview)
    assert invite.status == CalendarInvite.Status.CREATED
    event = stored(providers, provider, account, invite.provider_event_id)
    assert [a.email for a in event.attendees if a.email != account] == [email]

    [entry] = inboxes.calendar(email)
    if provider == "google":
        # Google's event carries our UID: its invitation updates the entry our email made, which must stay.
        assert entry == interview.ical_uid
        assert [ours(m).method for m in messages_to(interview, email)] == ["REQUEST"]
    else:
        # Outlook's event has a UID of its own: our email's entry is cancelled, whatever arrives first.
        assert entry != interview.ical_uid
        assert inboxes.calendar(email, provider_first=False) == {entry}
        replaced = messages_to(interview, email)[-1]
        assert replaced.subject.startswith("Calendar entry replaced:")
        assert ours(replaced).method == "CANCEL" and ours(replaced).sequence == 1
        assert "still takes place" in replaced.text_body
    # The candidate was not moved anywhere: one entry, no second message.
    assert inboxes.calendar(acme_candidate.email) == {interview.ical_uid}
    assert len(messages_to(interview, acme_candidate.email)) == 1


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_moves_an_interviewer_from_calendar_to_email_with_one_entry(providers, owner_client, interviewer,
                                                                        acme_candidate, provider, account, capture):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    inboxes = Inboxes(providers, interview)
    inboxes.step()
    email = interviewer.user.email
    assert len(inboxes.calendar(email)) == 1 and messages_to(interview, email) == []

    page = owner_client.get(reschedule_url(interview)).content.decode()
    provider_name = "Google Calendar" if provider == "google" else "Outlook Calendar"
    assert f"{provider_name} sends them the update; no email from us." in page

    _switch(owner_client, interview, capture, candidate_email=True, interviewers_email=True)
    inboxes.step()

    event = stored(providers, provider, account, invite_of(interview).provider_event_id)
    assert [a.email for a in event.attendees if a.email != account] == []
    assert ("cancel", email) in [(o["kind"], o["attendee"]) for o in inboxes.steps[-1][0]]
    [invitation] = messages_to(interview, email)
    assert ours(invitation).method == "REQUEST" and ours(invitation).sequence == 1
    # The time is unchanged: the email is the company's invitation, with the calendar entry.
    assert invitation.subject.startswith("Interview with Wile E. Coyote")
    assert inboxes.calendar(email) == {interview.ical_uid}
    if provider == "microsoft":
        assert inboxes.calendar(email, provider_first=False) == {interview.ical_uid}


@pytest.mark.parametrize(("provider", "account"), ACCOUNTS)
def test_it_moves_the_candidate_to_the_calendar_while_moving_the_time(providers, owner_client, interviewer,
                                                                      acme_candidate, provider, account, capture):
    connect(owner_client, provider, account)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    inboxes = Inboxes(providers, interview)
    inboxes.step()
    data = page_defaults(owner_client, reschedule_url(interview))
    data.update({"date": "2030-06-14", "start_time": "10:00", "candidate_calendar": "on"})
    data.pop("candidate_email")
    post(owner_client, reschedule_url(interview), data, capture)
    inboxes.step()

    moved = reload(interview)
    event = stored(providers, provider, account, invite_of(interview).provider_event_id)
    assert sorted(a.email for a in event.attendees if a.email != account) == sorted([
        acme_candidate.email, interviewer.user.email])
    assert event.start == int(moved.start.timestamp())
    for person in (acme_candidate.email, interviewer.user.email):
        assert len(inboxes.calendar(person)) == 1, person
    # The candidate is no longer emailed: no update email, only (Outlook) the removal of the old entry.
    later = messages_to(interview, acme_candidate.email)[1:]
    assert [ours(m).method for m in later] == ([] if provider == "google" else ["CANCEL"])


def test_it_needs_the_organizers_calendar_to_move_people_there(owner_client, owner, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    with across_tenants("test setup"), pytest.raises(ValidationError, match="connected calendar"):
        services.interview_reschedule(interview=interview, plan=Plan.of(reload(interview)), actor=owner.user,
                                      interviewers_via=services.Channels(calendar=True))
    assert reload(interview).sequence == 0
    page = owner_client.get(reschedule_url(interview)).content.decode()
    assert "Calendar (the organizer has no connected calendar)" in page


def test_it_refuses_an_audience_without_any_channel(owner_client, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    data = page_defaults(owner_client, reschedule_url(interview))
    data.pop("interviewers_email")
    response = post(owner_client, reschedule_url(interview), data, status=200)
    assert response.context["emails_form"].errors["interviewers_email"] == ["Choose email, calendar or both."]
    assert reload(interview).sequence == 0


def _leave_google(client, interview, captured, **changes):
    """Move the interviewers from the Google event to our email, with the page's other values; the commit's queued
    work (the calendar task, the emails' sends) is captured, not run."""
    data = page_defaults(client, reschedule_url(interview))
    for name in ("candidate_email", "candidate_calendar", "interviewers_email", "interviewers_calendar"):
        data.pop(name, None)
    data.update({"candidate_email": "on", "interviewers_email": "on", **changes})
    with captured() as callbacks:
        response = client.post(reschedule_url(interview), data)
    assert response.status_code == 302
    return callbacks


@pytest.mark.parametrize("moved", [False, True])
def test_it_emails_someone_leaving_a_google_event_only_after_google_removed_them(
    providers, owner_client, interviewer, acme_candidate, capture, moved
):
    """Google's cancellation to them and our invitation share our UID: whichever reached them last would win. So our
    email is written by the calendar task after Google removed them, not queued beside it for any worker."""
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    email = interviewer.user.email
    candidate_before = len(messages_to(interview, acme_candidate.email))
    queued = _leave_google(owner_client, interview, capture, **({"start_time": "16:00"} if moved else {}))

    # Committed, nothing run yet: our email to them does not exist, so no worker can deliver it before Google's
    # cancellation. (The candidate's update, which no provider touches, is queued at once.)
    assert messages_to(interview, email) == []
    assert len(messages_to(interview, acme_candidate.email)) == candidate_before + int(moved)
    assert invite_of(interview).after_removal != []

    # The worst order: every send queued beside the calendar task runs before it.
    with capture(execute=True):
        for callback in reversed(queued):
            callback()
    cancelled = [o for o in providers.state.outbox_entries() if o["attendee"] == email and o["kind"] == "cancel"]
    assert len(cancelled) == 1 and cancelled[0]["ical_uid"] == interview.ical_uid
    [ours_to_them] = messages_to(interview, email)
    sent = ours(ours_to_them)
    assert sent.method == "REQUEST" and sent.sequence == reload(interview).sequence == 1
    assert ours_to_them.subject.startswith("Rescheduled:" if moved else "Interview with Wile E. Coyote"), \
        ours_to_them.subject
    assert invite_of(interview).after_removal == []
    # A repeated calendar task sends nothing twice.
    with capture(execute=True):
        calendar_invite_sync_task.delay(company_id=interview.company_id, interview_id=interview.pk)
    assert len(messages_to(interview, email)) == 1


def test_it_still_emails_them_when_google_fails_for_good(providers, owner_client, interviewer, acme_candidate,
                                                          capture):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, capture=capture, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_calendar="on", interviewers_email=None)
    providers.state.inject_fault(path=r"/events/", method="PATCH", status=400, count=5)
    queued = _leave_google(owner_client, interview, capture)
    with capture(execute=True):
        for callback in queued:
            callback()
    assert invite_of(interview).status == CalendarInvite.Status.FAILED
    # Still on Google's event (no cancellation from it): our email, with the same UID, updates that one entry.
    [ours_to_them] = messages_to(interview, interviewer.user.email)
    assert ours(ours_to_them).method == "REQUEST"
