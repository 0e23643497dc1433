"""The mailbox in German for a member who reads German: the Sent tab, a message's page and composing. What was sent
(subjects, bodies) stays as it was written."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from tests.conftest import client_for
from tests.mailbox.factories import failed_message, send_to_candidate

pytestmark = pytest.mark.django_db


def german(membership):
    membership.user.language = "de"
    membership.user.save(update_fields=["language"])
    return client_for(membership)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_sent_tab_speaks_german_with_german_times(owner, teammate, acme_candidate):
    message = send_to_candidate(teammate, acme_candidate, subject="Next steps", attachments=[])
    failed = failed_message(owner, acme_candidate)
    written = timezone.now() - timedelta(hours=3)
    with across_tenants("test setup"):
        Message.objects.filter(pk=message.pk).update(created_at=written)
    page = german(owner).get("/acme/mailbox/sent/")
    assert page.status_code == 200
    html = page.content.decode()
    text = text_of(html)
    for words in ("Gesendet", "Alle", "Meine", "Betreff", "Kandidat*in", "Zielgruppe", "In Warteschlange",
                  "Fehlgeschlagen", "Erneut versuchen", "von Terry Teammate", "Sendelimits", "2 Nachrichten",
                  "1 Nachricht konnte nicht gesendet werden."):
        assert words in text, words
    assert 'placeholder="Betreff und Empfänger*innen durchsuchen"' in html
    for english in ("Everyone", "Subject", "Queued", "Retry", "could not be sent", "Any status"):
        assert english not in text, english
    # Relative times in German, the exact time in the German short format.
    assert "vor 3 Stunden" in text
    local = timezone.localtime(written)
    assert f'title="{local:%d.%m.%Y, %H:%M}"' in html
    # What was sent stays as written, and the reason a delivery failed is what was recorded.
    assert "Next steps" in text and "Offer letter for the rocket project" in text
    assert failed.last_error in text


def test_a_message_and_composing_speak_german(owner, acme_candidate):
    client = german(owner)
    message = send_to_candidate(owner, acme_candidate, subject="Next steps")
    text = text_of(client.get(f"/acme/mailbox/messages/{message.pk}/").content.decode())
    for words in ("Zustellung", "Verfasst von", "Versuche", "Nur Text", ".eml herunterladen", "In Warteschlange"):
        assert words in text, words
    local = timezone.localtime(message.created_at)
    assert f"Verfasst {local:%d.%m.%Y, %H:%M}" in text
    assert "Delivery" not in text and "Written by" not in text
    assert "Next steps" in text  # the subject as sent

    compose = client.get(f"/acme/mailbox/compose/{acme_candidate.pk}/")
    text = text_of(compose.content.decode())
    for words in ("E-Mail an Wile E. Coyote", "Betreff", "Nachricht", "Anhänge", "Abbrechen", "Senden",
                  "Antworten gehen an owner@acme.test", "Bis zu"):
        assert words in text, words
    assert "Cancel" not in text and "replies go to" not in text
    refused = client.post(f"/acme/mailbox/compose/{acme_candidate.pk}/", {
        "subject": "Hi", "body": "Hello", "cc": "not an address",
    })
    assert refused.status_code == 400
    assert "„not an address“ ist keine E-Mail-Adresse." in refused.content.decode()
