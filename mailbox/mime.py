"""Build the email of an outbox row, for any Django email backend (SMTP, the local catcher, locmem in tests).

The structure, with the parts that are there:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST     (an invite: Gmail and Outlook show Accept/Decline only for this part)
      invite.ics, CV.pdf, ...              (attachments)

Everything comes from the row, so every attempt sends the very same headers, Message-ID included.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.message import Message as MIMEPart

from django.core.mail import EmailMultiAlternatives

from recruitee.text import one_line

from .models import Attachment, Message


def split_content_type(value: str) -> tuple[str, dict[str, str]]:
    """"text/calendar; method=REQUEST" -> ("text/calendar", {"method": "REQUEST"}), parsed as a header is."""
    header = MIMEPart()
    header["Content-Type"] = value
    params = dict(header.get_params()[1:]) if header.get_params() else {}
    return header.get_content_type(), {key: str(val) for key, val in params.items()}


class OutboxEmail(EmailMultiAlternatives):
    """Django's multipart email, with MIME parameters (method=REQUEST) set properly on alternative parts."""

    def _create_mime_attachment(self, content, mimetype):
        content_type, params = split_content_type(mimetype)
        part = super()._create_mime_attachment(content, content_type)
        for key, value in params.items():
            if key.lower() != "charset":  # Django sets the charset of text parts itself
                part.set_param(key, value)
        return part


def build_email(message: Message, parts: Iterable[Attachment]) -> OutboxEmail:
    # Forms refuse line breaks in subjects and names; cleaning them here again (the names already are, by Address)
    # keeps a row written before that rule, or by a path that skipped it, from adding headers of its own.
    email = OutboxEmail(
        subject=one_line(message.subject),
        body=message.text_body,
        from_email=message.from_address.header(),
        to=[address.header() for address in message.to_addresses],
        cc=[address.header() for address in message.cc_addresses],
        reply_to=[address.header() for address in message.reply_to_addresses],
        headers={"Message-ID": message.message_id},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for part in parts:
        content = bytes(part.content)
        if part.kind == Attachment.Kind.ALTERNATIVE:
            email.attach_alternative(content.decode("utf-8"), part.content_type)
        else:
            email.attach(part.filename or None, content, part.content_type)
    return email
