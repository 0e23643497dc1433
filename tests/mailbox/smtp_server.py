"""A real SMTP server on loopback (aiosmtpd) that records what it receives and answers as a test tells it to.

    with SMTPTestServer() as smtp:
        smtp.data_answers.append("451 4.7.1 Greylisted, try again later")  # the next DATA is refused, then accepted
        smtp.refuse_recipient("nobody@example.com", "550 5.1.1 No such user")
        ...
        smtp.received[0].email   # the message, parsed by Python's email package

Runs in a thread of the test process; a Celery worker process reaches it as well (it listens on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def email(self) -> EmailMessage:
        return BytesParser(policy=policy.default).parsebytes(self.data)


class _Handler:
    def __init__(self, server: SMTPTestServer):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's hook name)
        answer = self.server.recipient_answers.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
        with self.server.lock:
            answer = self.server.data_answers.popleft() if self.server.data_answers else None
        if answer:
            return answer
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content))
            )
        self.server.accepted.set()
        if self.server.hold_answer.is_set():
            # The message is in; the answer waits (a test kills the sender meanwhile, or races a second one).
            await asyncio.get_running_loop().run_in_executor(None, self.server.release.wait, 30)
        return "250 2.0.0 Accepted for delivery"


class SMTPTestServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.data_answers: deque[str] = deque()
        self.recipient_answers: dict[str, str] = {}
        self.accepted = threading.Event()
        self.hold_answer = threading.Event()
        self.release = threading.Event()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=5)

    def refuse_recipient(self, address: str, answer: str) -> None:
        self.recipient_answers[address.lower()] = answer

    def hold(self) -> None:
        """Keep the answer to the next accepted DATA until `release_answer()`."""
        self.release.clear()
        self.hold_answer.set()

    def release_answer(self) -> None:
        self.hold_answer.clear()
        self.release.set()

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} message(s) within {timeout} s, got {len(self.received)}")

    def settings(self) -> dict:
        """Django settings that send through this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port, "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 5,
        }

    def start(self) -> SMTPTestServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._controller.stop()

    def __enter__(self) -> SMTPTestServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
