"""The outbox with a real Celery worker process on Redis and a real SMTP server."""

import time

import pytest

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from tests.mailbox.factories import send_to_candidate

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_settings(smtp_server):
    # A claim older than 2 s counts as a dead worker's; retries come after 0.2 s.
    return {**smtp_server.settings(), "MAILBOX_SENDING_STALE_SECONDS": 2, "MAILBOX_RETRY_BACKOFF_SECONDS": 0.2,
            "MAILBOX_RETRY_BACKOFF_MAX_SECONDS": 1}


def wait_for_status(message: Message, status: str, timeout: float = 20) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with across_tenants("test setup"):
            row = Message.objects.get(pk=message.pk)
        if row.status == status:
            return row
        time.sleep(0.1)
    raise AssertionError(f"message {message.pk} is {row.status}, not {status}, after {timeout} s ({row.last_error})")


def test_it_retries_a_greylisted_message_through_the_broker_and_delivers_it_once(
    celery_worker, smtp_server, owner, acme_candidate
):
    smtp_server.data_answers.append("451 4.7.1 Greylisted, please try again later")
    message = send_to_candidate(owner, acme_candidate)  # commits; the task goes to Redis

    row = wait_for_status(message, Message.Status.SENT)
    assert row.attempts == 2
    [received] = smtp_server.received
    assert received.email["Message-ID"] == row.message_id


def test_it_resends_with_the_same_message_id_when_the_worker_dies_after_the_server_accepted(
    celery_worker, smtp_server, owner, acme_candidate
):
    smtp_server.hold()  # the server takes the message but keeps its "250 OK" back
    message = send_to_candidate(owner, acme_candidate)
    assert smtp_server.accepted.wait(20), celery_worker.output()
    celery_worker.kill()  # dies before it hears the 250 and marks the row
    smtp_server.release_answer()
    with across_tenants("test setup"):
        assert Message.objects.get(pk=message.pk).status == Message.Status.SENDING

    celery_worker.restart()  # the broker hands the unacknowledged task out again after its visibility timeout
    first, second = smtp_server.wait_for(2, timeout=30)
    row = wait_for_status(message, Message.Status.SENT)
    assert first.email["Message-ID"] == second.email["Message-ID"] == row.message_id
    assert row.attempts == 2
