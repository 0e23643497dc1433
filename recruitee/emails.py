"""System emails (team invitations, password resets, calendar notices): three templates each, sent via the outbox.

Each email `name` has `templates/emails/<name>.subject.txt`, `<name>.txt` and `<name>.html`. Like every email the
product sends, a system email is an outbox row first and a worker delivers it after the commit.

The outbox lives in the `mailbox` app, a layer above the core, so the core does not import it: the mailbox
registers itself here when Django starts (`MailboxConfig.ready`), and the core only calls `queue_system_email`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Outbox(Protocol):
    def __call__(self, *, to: list[str], email: RenderedEmail, company, sender) -> None: ...


_outbox: Outbox | None = None


def outbox_register(outbox: Outbox) -> None:
    """Called once by the app that stores and delivers mail (the mailbox)."""
    global _outbox
    _outbox = outbox


def render_system_email(name: str, context: dict) -> RenderedEmail:
    subject = render_to_string(f"emails/{name}.subject.txt", context)
    return RenderedEmail(
        # A subject is one header line: collapse whatever whitespace the template left.
        subject=" ".join(subject.split()),
        text=render_to_string(f"emails/{name}.txt", context),
        html=render_to_string(f"emails/{name}.html", context),
    )


def queue_system_email(*, to: list[str], email: RenderedEmail, company=None, sender=None) -> None:
    """Write the outbox row in the caller's transaction; a worker delivers it after the commit.

    With a company, the row is that company's team mail (its admins see it in Sent); without one (a password
    reset) it is system mail that no tenant sees. `sender` is the member whose action sends it (a team
    invitation): it counts toward their sending limits, which may refuse it (a ValidationError), and replies go
    to them.
    """
    if _outbox is None:
        # A wiring mistake (the mailbox app is not installed or not ready), never a reason to drop mail quietly.
        raise ImproperlyConfigured("No outbox is registered: add 'mailbox' to INSTALLED_APPS.")
    _outbox(to=to, email=email, company=company, sender=sender)
