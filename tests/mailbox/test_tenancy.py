"""Nobody outside acme reads, retries or downloads acme's mail; system mail belongs to no company at all."""

import pytest
from django.core import mail
from django.test import Client
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from mailbox.models import Attachment, Message
from recruitee.tenancy.db import across_tenants
from tests import probe
from tests.mailbox.factories import failed_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox_probe(acme, owner):
    """tests/probe.py's walker on the mailbox's URLs alone (its FACTORIES fill message_id, attachment_id, ...)."""
    endpoints = [e for e in probe.project_endpoints() if e.name.startswith("mailbox:")]
    assert len(endpoints) == 11
    return endpoints, probe.CompanyObjects(acme, actor=owner.user)


def test_it_answers_an_outsider_on_every_mailbox_url_like_for_an_unknown_company(mailbox_probe, outsider_client):
    endpoints, acme_objects = mailbox_probe
    report = probe.probe_as_outsider(outsider_client, endpoints, acme_objects, own_slug="globex")
    assert report.failures == []
    assert report.requests >= 4 * len(endpoints)


def test_it_sends_logged_out_visitors_to_the_login_page_on_every_mailbox_url(mailbox_probe):
    endpoints, acme_objects = mailbox_probe
    assert probe.probe_logged_out(Client(), endpoints, acme_objects).failures == []


def test_it_keeps_acmes_message_attachment_and_retry_from_an_outsider(
    outsider_client, owner, acme_candidate, django_capture_on_commit_callbacks
):
    message = failed_message(owner, acme_candidate, with_attachment=True)
    with across_tenants("test setup"):
        attachment = Attachment.objects.get(message=message)
    urls = [f"/globex/mailbox/messages/{message.pk}/", f"/globex/mailbox/messages/{message.pk}/body/",
            f"/globex/mailbox/messages/{message.pk}/source/",
            f"/globex/mailbox/messages/{message.pk}/attachments/{attachment.pk}/"]
    for url in urls:
        response = outsider_client.get(url)
        assert response.status_code == 404, url
        assert b"Offer letter" not in response.content and b"PDF" not in response.content
    with django_capture_on_commit_callbacks(execute=True):
        assert outsider_client.post(f"/globex/mailbox/messages/{message.pk}/retry/").status_code == 404
    assert outsider_client.get("/globex/mailbox/sent/?who=everyone").content.count(b"mailbox-row") == 0
    with across_tenants("test setup"):
        message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
    assert mail.outbox == []


def test_it_records_a_password_reset_as_system_mail_that_no_company_sees(
    owner, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "owner@acme.test"})
    assert mail.outbox[-1].to == ["owner@acme.test"]

    [reset] = Message.system.all()  # no scope needed: it can only ever hold company-less rows
    assert (reset.company, reset.audience, reset.status) == (None, Message.Audience.SYSTEM, Message.Status.SENT)
    assert reset.from_name == "Recruitee" and reset.reply_to == []
    assert mail.outbox[-1].extra_headers["Message-ID"] == reset.message_id
    with scope(company=owner.company):
        assert not Message.objects.filter(pk=reset.pk).exists()
    assert owner_client.get(f"/acme/mailbox/messages/{reset.pk}/").status_code == 404
    assert b"mailbox-row" not in owner_client.get("/acme/mailbox/sent/?who=everyone").content


def test_it_refuses_to_read_messages_outside_a_company_scope(owner, acme_candidate):
    failed_message(owner, acme_candidate)
    with pytest.raises(ScopeError):
        list(Message.objects.all())


def test_it_refuses_to_link_a_message_to_another_companys_candidate(owner, acme_candidate, outsider):
    from django.core.exceptions import ValidationError

    from mailbox.addresses import Address
    from mailbox.services import message_send
    from recruitee.recruiting.models import Candidate

    with across_tenants("test setup"):
        theirs = Candidate.objects.create(company=outsider.company, full_name="Homer", email="homer@globex.test")
    send = {"company": owner.company, "sender": owner, "audience": Message.Audience.CANDIDATE,
            "to": [Address(email="x@example.com")], "subject": "Hello", "text": "Hi"}
    with scope(company=owner.company):
        with pytest.raises(ValidationError, match="candidate must belong to the company"):
            message_send(**send, candidate=theirs)
        message = message_send(**send, candidate=acme_candidate)
        assert message.candidate == acme_candidate
