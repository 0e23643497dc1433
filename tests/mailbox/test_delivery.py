"""Delivery to a real SMTP server on loopback: what arrives, retries, refusals, races and resends."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope

from mailbox.addresses import Address
from mailbox.delivery import message_deliver
from mailbox.models import Message
from mailbox.services import AlternativePart, AttachmentData
from mailbox.tasks import message_send_task
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.mailbox.factories import send_to_candidate

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Recruitee//Interviews//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:interview-42@recruitee.local\r\nSEQUENCE:0\r\nDTSTART:20261201T140000Z\r\nDTEND:20261201T150000Z\r\n"
    "SUMMARY:Interview\r\nORGANIZER:mailto:owner@acme.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def reload(message: Message) -> Message:
    with across_tenants("test setup"):
        return Message.objects.get(pk=message.pk)


def test_it_delivers_a_multipart_invite_that_parses_into_the_expected_structure(
    smtp, owner, teammate, acme_candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(
            owner, acme_candidate, subject="Interview on 1 December", text="Hi Wile,\n\nsee you then.\n",
            cc=[Address(email=teammate.user.email, name="Terry Teammate")],
            attachments=[AttachmentData("invite.ics", "application/ics", ICS.encode())],
            alternatives=[AlternativePart("text/calendar; method=REQUEST", ICS)],
        )

    [received] = smtp.received
    email = received.email
    assert received.mail_from == "no-reply@recruitee.local"
    assert sorted(received.rcpt_tos) == sorted([acme_candidate.email, teammate.user.email])
    assert email["From"] == "Olivia Owner <no-reply@recruitee.local>"
    assert email["Reply-To"] == "Olivia Owner <owner@acme.test>"
    assert email["To"] == "\"Wile E. Coyote\" <wile.coyote@acme-candidates.test>"
    assert email["Cc"] == "Terry Teammate <teammate@acme.test>"
    assert email["Subject"] == "Interview on 1 December"
    assert email["Message-ID"] == message.message_id
    assert message.message_id.endswith("@recruitee.local>")
    assert email["Date"]

    assert email.get_content_type() == "multipart/mixed"
    alternative, attachment = email.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    text, html, calendar = alternative.iter_parts()
    assert text.get_content() == "Hi Wile,\r\n\r\nsee you then.\r\n"  # SMTP's line ends
    assert "<p>Hi Wile,</p>" in html.get_content() and "<p>see you then.</p>" in html.get_content()
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content() == ICS
    assert attachment.get_filename() == "invite.ics"
    assert (attachment.get_content_type(), attachment.get_content_disposition()) == ("application/ics", "attachment")
    assert attachment.get_content() == ICS.encode()

    message = reload(message)
    assert (message.status, message.attempts, message.last_error) == (Message.Status.SENT, 1, "")
    assert message.sent_at is not None


def test_it_escapes_a_candidate_named_like_markup_in_the_html_part(
    smtp, owner, owner_client, acme, django_capture_on_commit_callbacks
):
    with across_tenants("test setup"):
        candidate = Candidate.objects.create(company=acme, full_name="<img src=x onerror=alert(1)>",
                                             email="markup@example.com")
    page = owner_client.get(f"/acme/mailbox/compose/{candidate.pk}/")
    body = page.context["form"].initial["body"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/acme/mailbox/compose/{candidate.pk}/",
                                     {"subject": "Hello", "body": body, "cc": ""})
    assert response.status_code == 302

    email = smtp.received[0].email
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert email.get_body(preferencelist=("plain",)).get_content().startswith("Hi <img src=x onerror=alert(1)>,")
    # The display name is quoted in the header, so it stays one harmless name.
    assert email["To"].addresses[0].display_name == "<img src=x onerror=alert(1)>"
    assert email["To"].addresses[0].addr_spec == "markup@example.com"


def test_it_retries_a_temporary_refusal_and_delivers_once(
    smtp, owner, acme_candidate, django_capture_on_commit_callbacks
):
    smtp.data_answers.append("451 4.7.1 Greylisted, please try again later")
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)

    assert len(smtp.received) == 1
    message = reload(message)
    assert (message.status, message.attempts, message.last_error) == (Message.Status.SENT, 2, "")


def test_it_marks_a_permanent_refusal_failed_and_shows_the_reason(
    smtp, owner, owner_client, acme_candidate, django_capture_on_commit_callbacks
):
    smtp.refuse_recipient(acme_candidate.email, "550 5.1.1 No such user here")
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)

    message = reload(message)
    assert smtp.received == []
    assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
    assert message.last_error == (
        "The receiving mail server refused every recipient "
        "(wile.coyote@acme-candidates.test: 550 5.1.1 No such user here)."
    )
    page = owner_client.get("/acme/mailbox/sent/").content.decode()
    assert "1 message could not be sent." in page
    assert "550 5.1.1 No such user here" in page
    assert ">Retry</button>" in page


def test_it_retries_while_the_server_is_down_and_then_gives_up(
    settings, owner, acme_candidate, django_capture_on_commit_callbacks
):
    from tests.mailbox.smtp_server import SMTPTestServer, free_port

    for name, value in SMTPTestServer(port=free_port()).settings().items():  # nothing listens there
        setattr(settings, name, value)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)

    message = reload(message)
    assert (message.status, message.attempts) == (Message.Status.FAILED, settings.MAILBOX_SEND_MAX_ATTEMPTS)
    assert message.last_error == (
        "The mail server could not be reached (connection refused). Gave up after 3 attempts."
    )


def test_it_reports_the_next_try_while_a_temporary_problem_lasts(
    smtp, owner, acme_candidate, django_capture_on_commit_callbacks
):
    smtp.data_answers.append("421 4.3.2 System shutting down")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send_to_candidate(owner, acme_candidate)
    with scope(company=owner.company):
        outcome = message_deliver(message_id=message.pk, company_id=owner.company_id)
    assert (outcome.status, outcome.retry_in) == ("retry", 0.0)
    message = reload(message)
    assert message.status == Message.Status.QUEUED
    assert message.last_error == (
        "Attempt 1 failed: The mail server refused the message (421 4.3.2 System shutting down). "
        "Trying again in a moment."
    )
    callbacks[0]()  # the task queued after the commit delivers it now
    assert reload(message).status == Message.Status.SENT


def test_it_sends_a_message_once_when_the_task_runs_twice(
    smtp, owner, acme_candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)
    assert message_send_task.delay(company_id=owner.company_id, message_id=message.pk).get() == "skipped"
    assert len(smtp.received) == 1
    assert reload(message).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_it_sends_a_message_once_when_two_workers_race_for_it(smtp, owner, acme_candidate, monkeypatch):
    # The commit is real here: keep the task it queues from running, the two "workers" below race instead.
    monkeypatch.setattr("mailbox.services._queue_delivery", lambda message: None)
    message = send_to_candidate(owner, acme_candidate)
    smtp.hold()  # the first worker's SMTP answer waits until the second one has tried too
    results = {}

    def worker(name: str) -> None:
        try:
            task_kwargs = {"company_id": owner.company_id, "message_id": message.pk}
            # .result, not .get(): Celery forbids .get() process-wide while any thread runs an eager apply_async
            # (a live server thread of another test may still be finishing one).
            results[name] = message_send_task.apply(kwargs=task_kwargs).result
        finally:
            connection.close()

    first = threading.Thread(target=worker, args=("first",))
    first.start()
    assert smtp.accepted.wait(5)
    second = threading.Thread(target=worker, args=("second",))
    second.start()
    second.join(10)
    smtp.release_answer()
    first.join(10)

    assert results == {"first": "sent", "second": "skipped"}
    assert len(smtp.received) == 1
    assert reload(message).attempts == 1


def test_it_sends_a_message_stuck_in_sending_again_with_the_same_message_id(
    smtp, settings, owner, owner_client, acme_candidate, django_capture_on_commit_callbacks
):
    """The worker died after the SMTP server accepted the message: a resend carries the same Message-ID."""
    with django_capture_on_commit_callbacks(execute=True):
        message = send_to_candidate(owner, acme_candidate)
    long_ago = timezone.now() - timedelta(seconds=settings.MAILBOX_SENDING_STALE_SECONDS + 1)
    with across_tenants("test setup"):
        Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=long_ago)

    page = owner_client.get(f"/acme/mailbox/messages/{message.pk}/").content.decode()
    assert "Stuck? Send again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/acme/mailbox/messages/{message.pk}/retry/")
    assert response.status_code == 302

    first, second = smtp.wait_for(2)
    assert first.email["Message-ID"] == second.email["Message-ID"] == message.message_id
    message = reload(message)
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


def test_it_leaves_a_fresh_sending_claim_alone(smtp, owner, acme_candidate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = send_to_candidate(owner, acme_candidate)
    with across_tenants("test setup"):
        Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=timezone.now())
    assert message_send_task.delay(company_id=owner.company_id, message_id=message.pk).get() == "skipped"
    assert smtp.received == []


def test_it_sends_nothing_when_the_transaction_rolls_back(smtp, owner, acme_candidate,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            send_to_candidate(owner, acme_candidate)
            raise RuntimeError("the caller changed its mind")
    assert callbacks == []
    assert smtp.received == []
    with across_tenants("test setup"):
        assert not Message.objects.exists()


def test_it_queues_again_what_no_task_will_deliver(smtp, settings, owner, acme_candidate,
                                                  django_capture_on_commit_callbacks):
    """The broker lost a task, or a worker died mid-send: the beat sweeper finds the row and queues it again."""
    with django_capture_on_commit_callbacks(execute=False):  # as if publishing had failed
        lost = send_to_candidate(owner, acme_candidate, subject="Lost in the broker")
        stuck = send_to_candidate(owner, acme_candidate, subject="Stuck in sending")
        fresh = send_to_candidate(owner, acme_candidate, subject="Just written")
    long_ago = timezone.now() - timedelta(seconds=settings.MAILBOX_REQUEUE_AFTER_SECONDS + 1)
    with across_tenants("test setup"):
        Message.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
        Message.objects.filter(pk=stuck.pk).update(status=Message.Status.SENDING, claimed_at=long_ago, attempts=1)

    from mailbox.tasks import message_requeue_stale_task

    assert message_requeue_stale_task.delay().get() == 2
    assert sorted(r.email["Subject"] for r in smtp.received) == ["Lost in the broker", "Stuck in sending"]
    assert reload(fresh).status == Message.Status.QUEUED


def test_it_turns_a_system_email_queued_by_an_older_release_into_an_outbox_row(
    db, smtp, django_capture_on_commit_callbacks
):
    from recruitee.ops.tasks import system_email_deliver_task

    with django_capture_on_commit_callbacks(execute=True):
        system_email_deliver_task.delay(to=["someone@example.com"], subject="Reset your password", text="Link",
                                        html="")
    [row] = Message.system.all()
    assert (row.status, row.audience, row.subject) == (Message.Status.SENT, Message.Audience.SYSTEM,
                                                      "Reset your password")
    assert smtp.received[0].email["Message-ID"] == row.message_id
