"""Outbox rows for tests, written as the product writes them (through message_send) or in bulk."""

from __future__ import annotations

import json

from django.db import connection
from django_scopes import scope

from mailbox.addresses import Address
from mailbox.models import Attachment, Message
from mailbox.services import AttachmentData, message_send
from recruitee.tenancy.db import across_tenants


def send_to_candidate(member, candidate, *, subject="Your application", text="Hi,\n\nthanks for applying.\n",
                      **extra) -> Message:
    with scope(company=member.company):
        return message_send(
            company=member.company, sender=member, audience=Message.Audience.CANDIDATE, candidate=candidate,
            to=[Address(email=candidate.email, name=candidate.full_name)], subject=subject, text=text, **extra,
        )


def failed_message(member, candidate, *, reason="The receiving mail server refused every recipient (550).",
                   with_attachment: bool = False) -> Message:
    with across_tenants("test setup"):
        message = Message.objects.create(
            company=member.company, sender=member, audience=Message.Audience.CANDIDATE, candidate=candidate,
            from_name=member.user.display_name, from_email="no-reply@recruitee.local",
            to=[{"name": candidate.full_name, "email": candidate.email}],
            reply_to=[{"name": member.user.display_name, "email": member.user.email}],
            recipients_search=f"{candidate.full_name} <{candidate.email}>".lower(),
            subject="Offer letter for the rocket project", text_body="Confidential offer: 250k.\n",
            html_body="<p>Confidential offer: 250k.</p>", status=Message.Status.FAILED, attempts=1,
            last_error=reason, attachment_count=int(with_attachment),
        )
        if with_attachment:
            Attachment.objects.create(company=member.company, message=message, filename="offer.pdf",
                                      content_type="application/pdf", size=9, content=b"%PDF-1.4\n")
    return message


def bulk_messages(member, candidate, count: int, *, offset: int = 0) -> None:
    """Many rows, fast: the database makes them from a number series (the ORM takes ~25 s for 100,000 rows).

    Numbered offset .. offset+count-1; message n is n minutes old; one in seven is about `candidate`; one in twenty
    each failed, queued and sending, the rest sent. SQLite and PostgreSQL only.
    """
    postgres = connection.vendor == "postgresql"
    # On SQLite, a time as Django writes it ("...:21.598000", six digits): the Sent tab's cursors compare times
    # as text there, and "...:21.598" would not equal the same moment written by Django.
    created = "now() - n * interval '1 minute'" if postgres else \
        "strftime('%%Y-%%m-%%d %%H:%%M:%%f', 'now', '-' || n || ' minutes') || '000'"
    as_json = "CAST({} AS jsonb)" if postgres else "{}"
    status = "CASE n %% 20 WHEN 17 THEN 'failed' WHEN 18 THEN 'queued' WHEN 19 THEN 'sending' ELSE 'sent' END"
    values = {
        "company_id": "%s", "sender_id": "%s", "audience": "'candidate'", "from_name": "%s",
        "from_email": "'no-reply@recruitee.local'", "reply_to": as_json.format("%s"),
        "to": as_json.format("""'[{"name": "Candidate ' || n || '", "email": "candidate' || n || '@example.com"}]'"""),
        "cc": as_json.format("'[]'"),
        "recipients_search": "'candidate ' || n || ' <candidate' || n || '@example.com>'",
        "subject": "'Interview follow-up #' || n", "text_body": "'Thanks for your time.'", "html_body": "''",
        "candidate_id": "CASE WHEN n %% 7 = 0 THEN %s ELSE NULL END", "attachment_count": "0", "status": status,
        "attempts": "1", "max_attempts": "6",
        "last_error": "CASE n %% 20 WHEN 17 THEN 'The receiving mail server refused every recipient (550).' "
                      "ELSE '' END",
        "message_id": "'<bulk-' || %s || '-' || n || '@test>'", "created_at": created,
        "sent_at": f"CASE WHEN n %% 20 < 17 THEN {created} ELSE NULL END",
    }
    quote = connection.ops.quote_name
    sql = (
        "WITH RECURSIVE seq(n) AS (SELECT CAST(%s AS integer) UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
        f"INSERT INTO {quote(Message._meta.db_table)} ({', '.join(quote(c) for c in values)}) "
        f"SELECT {', '.join(values.values())} FROM seq"
    )
    reply_to = json.dumps([{"name": member.user.display_name, "email": member.user.email}])
    params = [offset, offset + count - 1, member.company_id, member.pk, member.user.display_name, reply_to,
              candidate.pk if candidate else None, member.pk]
    with across_tenants("test setup"), connection.cursor() as cursor:
        cursor.execute(sql, params)


__all__ = ["AttachmentData", "bulk_messages", "failed_message", "send_to_candidate"]
