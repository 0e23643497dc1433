"""The local mail catcher: where mail goes on `make run` (no EMAIL_URL), and how the app reads it back.

The backend writes each message as it would go over the wire into MAILBOX_CATCHER_DIR/<time>-<random>.eml (any mail
client opens those), atomically, so a reader never sees half a file. The catcher pages show them to admins while
DEBUG is on.

Why not Mailpit, which docker-compose.yml runs for the same job: `make run` promises a working product with nothing
but python3.11 and make (no Docker, no server to install), and it must still show the mail it "sends" (invitation
links, password resets). A file per message and two small pages do that; with Docker, EMAIL_URL points at Mailpit
and this backend is not used.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage as ParsedEmail
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

BACKEND = "mailbox.catcher.CatcherEmailBackend"
NAME_PATTERN = re.compile(r"^\d{8}T\d{6}\.\d{6}-[0-9a-f]{8}$")


def catcher_dir() -> Path:
    return Path(settings.MAILBOX_CATCHER_DIR)


def catcher_enabled() -> bool:
    """Only a developer's machine shows caught mail: DEBUG on and the catcher as the email backend."""
    return bool(settings.DEBUG) and settings.EMAIL_BACKEND == BACKEND


class CatcherEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = catcher_dir()
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for email in email_messages:
            if not email.recipients():
                continue
            data = email.message().as_bytes(linesep="\r\n")
            name = f"{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{secrets.token_hex(4)}"
            partial = folder / f".{name}.tmp"
            partial.write_bytes(data)
            os.replace(partial, folder / f"{name}.eml")
            sent += 1
        return sent


@dataclass(frozen=True)
class Caught:
    name: str
    received_at: datetime
    email: ParsedEmail

    @property
    def message_id(self) -> str:
        return str(self.email.get("Message-ID", "")).strip()


def _parse(path: Path, *, headers_only: bool) -> ParsedEmail:
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle, headersonly=headers_only)


def _received_at(name: str) -> datetime:
    return datetime.strptime(name.split("-", 1)[0], "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)


def caught_list(limit: int = 500) -> list[Caught]:
    """The newest caught messages, headers only."""
    folder = catcher_dir()
    if not folder.is_dir():
        return []
    names = sorted((p.stem for p in folder.glob("*.eml") if NAME_PATTERN.match(p.stem)), reverse=True)[:limit]
    return [Caught(n, _received_at(n), _parse(folder / f"{n}.eml", headers_only=True)) for n in names]


def caught_get(name: str) -> Caught | None:
    if not NAME_PATTERN.match(name):
        return None
    path = catcher_dir() / f"{name}.eml"
    if not path.is_file():
        return None
    return Caught(name, _received_at(name), _parse(path, headers_only=False))


def caught_source(name: str) -> bytes:
    return (catcher_dir() / f"{name}.eml").read_bytes()
