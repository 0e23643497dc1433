"""Sending limits: a member and a company may email only so many recipients per window and per day, fewer while
the company is new; a refusal is a form error that keeps what was typed, writes nothing, and is audited."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from mailbox.addresses import Address
from mailbox.limits import SendingLimitReached
from mailbox.models import Message
from mailbox.services import message_send
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Company, Invitation, Role
from scheduling import emails as scheduling_emails
from scheduling import services as scheduling_services
from scheduling.models import Audience, Interview, Participant, Purpose
from scheduling.plan import Plan
from tests.conftest import make_member
from tests.mailbox.factories import send_to_candidate
from tests.scheduling.helpers import messages_about

pytestmark = pytest.mark.django_db


def compose_url(candidate) -> str:
    return f"/acme/mailbox/compose/{candidate.pk}/"


@pytest.fixture
def limits(settings):
    """Small numbers; established companies get more than new ones. Set one to tighten it in a test."""
    settings.MAILBOX_LIMIT_WINDOW_MINUTES = 10
    settings.MAILBOX_LIMIT_NEW_COMPANY_DAYS = 3
    for prefix, member_window, member_day, company_window, company_day in (
        ("MAILBOX_LIMIT_", 30, 200, 200, 1000),
        ("MAILBOX_LIMIT_NEW_", 20, 100, 40, 100),
    ):
        setattr(settings, f"{prefix}MEMBER_PER_WINDOW", member_window)
        setattr(settings, f"{prefix}MEMBER_PER_DAY", member_day)
        setattr(settings, f"{prefix}COMPANY_PER_WINDOW", company_window)
        setattr(settings, f"{prefix}COMPANY_PER_DAY", company_day)
    return settings


def established(company: Company) -> Company:
    Company.objects.filter(pk=company.pk).update(created_at=timezone.now() - timedelta(days=30))
    company.refresh_from_db()
    return company


def sent_earlier(member, *, recipients: int, ago: timedelta) -> Message:
    """A message to `recipients` people, written `ago` before now (through message_send, then backdated)."""
    with scope(company=member.company):
        message = message_send(
            company=member.company, sender=member, audience=Message.Audience.CANDIDATE,
            to=[Address(email=f"person{n}@example.com") for n in range(recipients)], subject="Earlier", text="Hi",
        )
        Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - ago)
    return message


def message_count(company) -> int:
    with across_tenants("test setup"):
        return Message.objects.filter(company=company).count()


def refusals(company) -> list[AuditEntry]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(company=company, action="mail.limit_reached"))


def test_it_refuses_a_compose_over_the_limit_keeping_what_was_typed(
    limits, owner, owner_client, acme_candidate, django_capture_on_commit_callbacks
):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 6
    form = {"subject": "Your offer", "body": "Dear Wile,\n\nhere is the offer we talked about.\n",
            "cc": "a@example.com, b@example.com, c@example.com"}
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(compose_url(acme_candidate), form).status_code == 302  # 4 recipients of 6
        response = owner_client.post(compose_url(acme_candidate), {**form, "subject": "Second try"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "You have reached your sending limit of 6 recipients per 10 minutes (4 used; this email has 4)." in page
    assert re.search(r"You can send it in (9|10)\xa0minutes \(at \d\d:\d\d\)\.", page)
    assert "Companies in their first 3 days have lower limits." in page
    assert "Second try" in page and "here is the offer we talked about." in page
    assert "a@example.com, b@example.com, c@example.com" in page
    assert message_count(owner.company) == 1
    assert len(mail.outbox) == 1
    [entry] = refusals(owner.company)
    assert entry.actor == owner.user
    assert entry.data["limit"] == "member_window" and entry.data["recipients"] == 4


def test_it_counts_recipients_not_messages_and_frees_up_as_the_day_rolls_on(limits, owner, acme_candidate):
    established(owner.company)
    limits.MAILBOX_LIMIT_MEMBER_PER_DAY = 10
    sent_earlier(owner, recipients=4, ago=timedelta(hours=25))  # outside the day: not counted
    sent_earlier(owner, recipients=6, ago=timedelta(hours=23, minutes=30))  # frees up in 30 minutes
    sent_earlier(owner, recipients=3, ago=timedelta(hours=2))

    send_to_candidate(owner, acme_candidate)  # 1 recipient: 10 of 10
    with pytest.raises(SendingLimitReached) as refused:
        send_to_candidate(owner, acme_candidate, cc=[Address(email="boss@example.com")])
    text = refused.value.messages[0]
    assert "sending limit of 10 recipients per 24 hours (10 used; this email has 2)" in text
    assert re.search(r"You can send it in (29|30)\xa0minutes", text)
    assert "first 3 days" not in text


def test_it_refuses_an_email_to_more_people_than_a_limit_allows_outright(limits, owner, acme_candidate):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 3
    cc = [Address(email=f"cc{n}@example.com") for n in range(3)]
    with pytest.raises(SendingLimitReached, match="can never fit: send it to fewer at a time"):
        send_to_candidate(owner, acme_candidate, cc=cc)


def test_it_is_stricter_for_a_company_in_its_first_days(limits, owner, acme_candidate):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 3
    limits.MAILBOX_LIMIT_MEMBER_PER_WINDOW = 30
    cc = [Address(email=f"cc{n}@example.com") for n in range(2)]
    send_to_candidate(owner, acme_candidate, cc=cc)  # 3 of 3
    with pytest.raises(SendingLimitReached, match="Companies in their first 3 days have lower limits"):
        send_to_candidate(owner, acme_candidate, cc=cc)

    established(owner.company)
    send_to_candidate(owner, acme_candidate, cc=cc)  # 6 of 30
    assert message_count(owner.company) == 2


def test_it_limits_the_company_across_its_members_and_each_member_alone(limits, owner, teammate, acme_candidate):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 2
    limits.MAILBOX_LIMIT_NEW_COMPANY_PER_DAY = 3
    send_to_candidate(owner, acme_candidate)
    send_to_candidate(owner, acme_candidate)
    with pytest.raises(SendingLimitReached, match="You have reached your sending limit of 2 recipients"):
        send_to_candidate(owner, acme_candidate)
    send_to_candidate(teammate, acme_candidate)  # the teammate's own window is untouched; the company is at 3
    with pytest.raises(SendingLimitReached, match="Acme Inc. has reached its sending limit of 3 recipients per 24"):
        send_to_candidate(teammate, acme_candidate)


def test_it_refuses_a_team_invitation_over_the_limit_and_counts_it_for_the_inviter(
    limits, owner, owner_client, django_capture_on_commit_callbacks
):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 2
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("one@example.com", "two@example.com"):
            assert owner_client.post("/acme/team/invitations/", {"email": email, "role": Role.RECRUITER}).status_code \
                == 302
        response = owner_client.post("/acme/team/invitations/",
                                     {"email": "three@example.com", "role": Role.INTERVIEWER})

    assert response.status_code == 400
    page = response.content.decode()
    assert "You have reached your sending limit of 2 recipients per 10 minutes" in page
    assert 'value="three@example.com"' in page and '<option value="interviewer" selected>' in page
    with across_tenants("test setup"):
        assert sorted(Invitation.objects.values_list("email", flat=True)) == ["one@example.com", "two@example.com"]
        assert set(Message.objects.values_list("sender", flat=True)) == {owner.pk}
        assert not AuditEntry.objects.filter(action="invitation.created", data__email="three@example.com").exists()
    assert len(mail.outbox) == 2
    assert [entry.actor for entry in refusals(owner.company)] == [owner.user]


def test_it_refuses_to_resend_an_invitation_over_the_limit_and_keeps_the_old_link(
    limits, owner, owner_client, django_capture_on_commit_callbacks
):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 1
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/acme/team/invitations/", {"email": "one@example.com", "role": Role.RECRUITER})
    with across_tenants("test setup"):
        invitation = Invitation.objects.get()
    response = owner_client.post(f"/acme/team/invitations/{invitation.pk}/resend/", follow=True)
    assert "You have reached your sending limit of 1 recipient per 10 minutes" in response.content.decode()
    nonce = invitation.nonce
    with across_tenants("test setup"):
        invitation.refresh_from_db()
    assert invitation.nonce == nonce
    assert message_count(owner.company) == 1


def _plan(owner, candidate, interviewers) -> Plan:
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    return Plan(kind="interview", title="Rocket chat", start=start, end=start + timedelta(hours=1),
                time_zone="Europe/Berlin", candidate=candidate, job=candidate.job, organizer=owner,
                interviewers=interviewers)


def _schedule(owner, candidate, interviewers) -> Interview:
    email_only = scheduling_services.Channels(email=True, calendar=False)
    return scheduling_services.interview_schedule(
        plan=_plan(owner, candidate, interviewers), candidate_via=email_only, interviewers_via=email_only,
        candidate_wording=scheduling_emails.company_wording(owner.company, Audience.CANDIDATE, Purpose.INVITATION),
        interviewers_wording=scheduling_emails.company_wording(owner.company, Audience.INTERVIEWERS,
                                                               Purpose.INVITATION),
        actor=owner.user,
    )


def test_it_refuses_to_schedule_over_the_limit_and_writes_nothing(limits, owner, teammate, interviewer,
                                                                   acme_candidate):
    # The candidate's invitation fits (1 of 2); the interviewers' (2 more) does not: all of it is undone.
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 2
    with scope(company=owner.company):
        with pytest.raises(SendingLimitReached, match="sending limit of 2 recipients per 10 minutes"):
            _schedule(owner, acme_candidate, [teammate, interviewer])
        assert not Interview.objects.exists()
        assert not Participant.objects.exists()
        assert not Message.objects.exists()
    [entry] = refusals(owner.company)
    assert entry.data["used"] == 1 and entry.data["recipients"] == 2


def test_it_always_lets_a_cancellation_out_and_counts_it(limits, owner, acme_candidate,
                                                         django_capture_on_commit_callbacks):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 1
    with scope(company=owner.company):
        interview = _schedule(owner, acme_candidate, [])  # 1 of 1
        with django_capture_on_commit_callbacks(execute=True):
            scheduling_services.interview_cancel(interview=interview, actor=owner.user)
        assert messages_about(interview).count() == 2
    [cancellation] = mail.outbox
    assert acme_candidate.email in cancellation.to[0]
    assert "METHOD:CANCEL" in mail.outbox[0].alternatives[-1][0]
    with pytest.raises(SendingLimitReached, match=r"\(2 used; this email has 1\)"):
        send_to_candidate(owner, acme_candidate)


def test_it_leaves_mail_without_a_sender_alone(limits, owner):
    limits.MAILBOX_LIMIT_NEW_COMPANY_PER_DAY = 1
    sent_earlier(owner, recipients=1, ago=timedelta(minutes=1))
    with scope(company=owner.company):
        message_send(company=owner.company, audience=Message.Audience.TEAM, to=[Address(email="owner@acme.test")],
                     subject="Reconnect your calendar", text="Your Google calendar needs you to sign in again.")
    assert message_count(owner.company) == 2


def test_it_shows_each_member_their_use_and_admins_the_companys(limits, owner, teammate, owner_client,
                                                                teammate_client, acme_candidate):
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 40
    send_to_candidate(owner, acme_candidate, cc=[Address(email=f"cc{n}@example.com") for n in range(36)])
    send_to_candidate(teammate, acme_candidate)

    page = owner_client.get("/acme/mailbox/sent/").content.decode()
    assert "Sending limits</strong> (lower while Acme Inc. is new)" in page
    assert "you 37 of 100 recipients in the last 24 hours" in page
    assert "Acme Inc. 38 of 100 recipients in the last 24 hours" in page

    established(owner.company)
    page = teammate_client.get("/acme/mailbox/sent/").content.decode()
    assert "you 1 of 200 recipients in the last 24 hours" in page and "you 1 of 30 recipients" in page
    assert "Acme Inc. 38" not in page and "is new" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_two_concurrent_sends_take_the_last_slot(limits, acme, acme_candidate):
    """Two processes at once (two connections): the second waits for the first and counts its message."""
    owner = make_member(acme, "racer@acme.test", Role.ADMIN)
    limits.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 1
    first_written, second_started = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                send_to_candidate(owner, acme_candidate, subject="First")
                first_written.set()
                second_started.wait(5)
                threading.Event().wait(0.5)  # the second is now counting (or waiting for our lock)
            outcomes["first"] = "sent"
        finally:
            first_written.set()
            connection.close()

    def second() -> None:
        try:
            first_written.wait(5)
            second_started.set()
            send_to_candidate(owner, acme_candidate, subject="Second")
            outcomes["second"] = "sent"
        except SendingLimitReached:
            outcomes["second"] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"first": "sent", "second": "refused"}
    with across_tenants("test setup"):
        assert list(Message.objects.values_list("subject", flat=True)) == ["First"]
