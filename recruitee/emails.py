"""System emails (team invitations, password resets): three templates each, delivered by a worker.

Each email `name` has `templates/emails/<name>.subject.txt`, `<name>.txt` and `<name>.html`.
"""

from dataclasses import dataclass

from django.db import transaction
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


def queue_system_email(*, to: list[str], email: RenderedEmail) -> None:
    """Deliver after the surrounding transaction commits, from a worker, never from the web process."""
    from recruitee.ops.tasks import system_email_deliver_task

    transaction.on_commit(
        lambda: system_email_deliver_task.delay(to=to, subject=email.subject, text=email.text, html=email.html)
    )
