"""System emails (team invitations, password resets, calendar notices): three templates each, sent via the outbox.

Each email `name` has `templates/emails/<name>.subject.txt`, `<name>.txt` and `<name>.html`. Like every email the
product sends, a system email is a `mailbox.Message` row first and a worker delivers it after the commit.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


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
    from mailbox.addresses import Address
    from mailbox.models import Message
    from mailbox.services import message_send

    message_send(
        company=company,
        audience=Message.Audience.TEAM if company is not None else Message.Audience.SYSTEM,
        to=[Address(email=address) for address in to],
        subject=email.subject, text=email.text, html=email.html, sender=sender,
    )
