"""Settings → Calendar connections: every member, "Not connected" for those without a calendar, and a reminder to
connect one (an email from the admin, at most one a day per member, in the audit log)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Role
from tests.calendars.factories import connected_calendar
from tests.conftest import client_for, make_member

pytestmark = pytest.mark.django_db

PAGE = "/acme/settings/calendars/"


def remind_url(member) -> str:
    return f"/acme/settings/calendars/remind/{member.pk}/"


def rows(html: str, testid: str) -> list[str]:
    found = re.findall(rf'<tr data-testid="{testid}">(.*?)</tr>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in found]


def reminders(company) -> list[AuditEntry]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(company=company, action="calendar.connect_reminder_sent"))


def backdate_reminders(company, ago: timedelta) -> None:
    with across_tenants("test setup"):
        AuditEntry.objects.filter(company=company, action="calendar.connect_reminder_sent") \
            .update(created_at=timezone.now() - ago)


def test_it_lists_every_member_and_says_who_is_not_connected(owner_client, owner, teammate, interviewer, outsider):
    connected_calendar(teammate)
    html = owner_client.get(PAGE).content.decode()

    assert rows(html, "admin-connection") == [
        "Terry Teammate Google Calendar teammate@acme.test Connected — — Disconnect"]
    assert rows(html, "admin-not-connected") == [
        "Ivan Interviewer Interviewer No calendar connected Not connected Send reminder to Ivan Interviewer",
        "Olivia Owner Admin No calendar connected Not connected Connect yours",  # not a reminder to oneself
    ]
    assert "Two of three have none yet" in html
    assert "Oscar Outsider" not in html


def test_it_emails_the_reminder_from_the_admin_and_audits_it(owner_client, owner, interviewer,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(remind_url(interviewer), follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    html = response.content.decode()
    assert "Ivan Interviewer was reminded by email to connect a calendar." in html
    [row] = rows(html, "admin-not-connected")[:1]
    assert "Reminded just now · again in 23 hours" in row and "Send reminder" not in row

    [email] = mail.outbox
    assert email.to == ["interviewer@acme.test"]
    assert email.subject == "Olivia Owner asks you to connect your calendar to Acme Inc. on Recruitee"
    assert "Hello Ivan Interviewer," in email.body
    assert "http://127.0.0.1:8000/acme/calendars/" in email.body
    html_body = email.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/acme/calendars/"' in html_body and "<strong>Olivia Owner</strong>" in html_body
    with across_tenants("test setup"):
        message = Message.objects.get()
        assert (message.sender, message.audience, message.status) == (owner, Message.Audience.TEAM, Message.Status.SENT)
    [entry] = reminders(owner.company)
    assert (entry.actor, entry.target_id) == (owner.user, interviewer.pk)
    assert entry.summary == "Olivia Owner reminded Ivan Interviewer to connect a calendar"


def test_it_reminds_a_member_at_most_once_a_day(owner_client, owner, interviewer, django_capture_on_commit_callbacks):
    other_admin = make_member(owner.company, "second@acme.test", Role.ADMIN, "Sam Second")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(remind_url(interviewer))
        backdate_reminders(owner.company, timedelta(hours=3))
        # Another admin, a minute or three hours later: refused, and said why.
        again = client_for(other_admin).post(remind_url(interviewer), follow=True).content.decode()
    again = again.replace("\xa0", " ")  # Django joins numbers and units with no-break spaces
    assert "Ivan Interviewer was reminded 3 hours ago. You can remind them again in 20 hours." in again
    assert "Reminded 3 hours ago · again in 20 hours" in rows(again, "admin-not-connected")[0]
    assert len(mail.outbox) == 1 and len(reminders(owner.company)) == 1

    backdate_reminders(owner.company, timedelta(hours=24, minutes=1))
    page = owner_client.get(PAGE).content.decode()
    row = next(r for r in rows(page, "admin-not-connected") if r.startswith("Ivan"))
    assert "Reminded 1 day ago" in row and "Send reminder" in row and "again in" not in row
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(remind_url(interviewer))
    assert len(mail.outbox) == 2 and len(reminders(owner.company)) == 2


def test_it_sends_no_reminder_to_someone_connected_or_to_oneself(owner_client, owner, teammate):
    connected_calendar(teammate)
    for member, reason in ((teammate, "Terry Teammate has connected a calendar already."),
                           (owner, "That is you: connect your own calendar under Your calendars.")):
        assert reason in owner_client.post(remind_url(member), follow=True).content.decode()
    assert mail.outbox == [] and reminders(owner.company) == []


def test_it_lets_only_admins_remind_and_only_their_own_company(owner, teammate, teammate_client, interviewer,
                                                               outsider, outsider_client):
    assert teammate_client.get(PAGE).status_code == 403
    assert teammate_client.post(remind_url(interviewer)).status_code == 403
    assert outsider_client.post(f"/globex/settings/calendars/remind/{interviewer.pk}/").status_code == 404
    assert client_for(owner).get(remind_url(interviewer)).status_code == 405
    assert mail.outbox == [] and reminders(owner.company) == []


def test_it_refuses_a_reminder_over_the_admins_sending_limit(settings, owner_client, owner, interviewer, teammate,
                                                             django_capture_on_commit_callbacks):
    settings.MAILBOX_LIMIT_NEW_MEMBER_PER_WINDOW = 1
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(remind_url(interviewer))
        page = owner_client.post(remind_url(teammate), follow=True).content.decode()
    assert "You have reached your sending limit of 1 recipient" in page
    assert len(mail.outbox) == 1
    assert [entry.target_id for entry in reminders(owner.company)] == [interviewer.pk]
    with across_tenants("test setup"):
        assert AuditEntry.objects.filter(action="mail.limit_reached", actor=owner.user).count() == 1


def test_it_reads_the_page_in_the_same_number_of_queries_for_a_bigger_team(owner_client, owner):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(PAGE).status_code == 200
        return len(captured)

    few = queries()
    for n in range(15):
        member = make_member(owner.company, f"person{n}@acme.test", Role.INTERVIEWER)
        if n % 3 == 0:
            connected_calendar(member)
    assert queries() == few
