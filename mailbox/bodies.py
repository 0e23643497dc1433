"""Text and HTML bodies from one source: what a person typed.

The typed text is data in the template context (escaped, links made clickable), never template source: nobody's
text is ever rendered by the template engine.
"""

from __future__ import annotations

from django.template.loader import render_to_string


def normalize_text(text: str) -> str:
    """Unix line ends and no trailing spaces: mail transports rewrap lines, stray CRs end up as =0D in clients."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def html_from_text(text: str, *, subject: str) -> str:
    return render_to_string("emails/mailbox_message.html", {"body": text.strip("\n"), "subject": subject})
