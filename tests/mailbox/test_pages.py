"""What people see: composing from a candidate's page, the Sent tab, a message's page, downloads and retries."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mailbox.models import Attachment, Message
from mailbox.sent_pager import OLDER, Cursor, cursor_token
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from tests.mailbox.factories import bulk_messages, failed_message, send_to_candidate

pytestmark = pytest.mark.django_db


def compose_url(candidate) -> str:
    return f"/acme/mailbox/compose/{candidate.pk}/"


def rows(page) -> list[str]:
    """The Sent table's rows as text, one string per row."""
    html = page.content.decode()
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r'<tr class="mailbox-row">(.*?)</tr>', html, re.S)]


def test_it_composes_from_the_candidate_page_and_shows_it_queued_then_sent(
    teammate_client, teammate, acme_candidate, django_capture_on_commit_callbacks
):
    candidate_page = teammate_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert f'href="{compose_url(acme_candidate)}">Send email</a>' in candidate_page
    assert "No emails yet." in candidate_page

    form = teammate_client.get(compose_url(acme_candidate))
    assert form.status_code == 200
    assert "Wile E. Coyote &lt;wile.coyote@acme-candidates.test&gt;" in form.content.decode()
    assert form.context["form"].initial["subject"] == "Secret Rocket Engineer at Acme Inc."

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = teammate_client.post(compose_url(acme_candidate), {
            "subject": "Next steps", "body": "Hi Wile,\n\ncould you do Tuesday?\n\nTerry", "cc": "boss@acme.test",
            "attachments": [SimpleUploadedFile("Role description.pdf", b"%PDF-1.4 role", "application/pdf")],
        })
    assert response.status_code == 302
    assert response["Location"] == f"/acme/candidates/{acme_candidate.pk}/"

    # At once on the candidate's page and in Sent, as queued.
    followed = teammate_client.get(response["Location"]).content.decode()
    assert "Your email to Wile E. Coyote is on its way." in followed
    assert "Next steps" in followed and "Queued" in followed
    sent = teammate_client.get("/acme/mailbox/sent/")
    [row] = rows(sent)
    assert row.startswith("Wile E. Coyote, boss@acme.test Next steps · 1 file Wile E. Coyote Candidate Queued")
    assert "every 2s" in sent.content.decode()  # the badge polls until it settles

    queued[0]()  # the commit's task: the worker delivers
    [email] = mail.outbox
    assert email.to == ['"Wile E. Coyote" <wile.coyote@acme-candidates.test>'] and email.cc == ["boss@acme.test"]
    assert email.attachments[0].filename == "Role description.pdf"
    [row] = rows(teammate_client.get("/acme/mailbox/sent/"))
    assert " Sent " in row
    assert "every 2s" not in teammate_client.get("/acme/mailbox/sent/").content.decode()


@pytest.mark.parametrize("field, value, error", [
    ("subject", "Hello\r\nBcc: everyone@example.com", "Line breaks and control characters are not allowed here."),
    ("cc", "a@example.com\nBcc: everyone@example.com", "Line breaks and control characters are not allowed here."),
    ("cc", "a@example.com, not-an-address", "“not-an-address” is not an email address."),
    ("subject", "", "This field is required."),
    ("body", "", "This field is required."),
])
def test_it_refuses_a_broken_form_and_sends_nothing(teammate_client, acme_candidate, field, value, error):
    data = {"subject": "Hello", "body": "Hi", "cc": "", field: value}
    response = teammate_client.post(compose_url(acme_candidate), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    with across_tenants("test setup"):
        assert not Message.objects.exists()


def test_it_refuses_attachments_over_the_size_limit(settings, teammate_client, acme_candidate):
    settings.MAILBOX_ATTACHMENTS_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.bin", b"x" * 1001)
    response = teammate_client.post(compose_url(acme_candidate), {"subject": "Hi", "body": "Hi", "attachments": [big]})
    assert response.status_code == 400
    assert "The files add up to more than 1000" in response.content.decode()


def test_it_lets_only_recruiters_and_admins_compose(interviewer_client, acme_candidate):
    assert interviewer_client.get(compose_url(acme_candidate)).status_code == 403
    page = interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert "Send email" not in page and "candidate-messages" not in page


def test_it_shows_everyone_to_admins_by_default_and_mine_on_request(owner_client, teammate_client, owner, teammate,
                                                                    acme_candidate):
    send_to_candidate(owner, acme_candidate, subject="From the owner")
    send_to_candidate(teammate, acme_candidate, subject="From the teammate")

    assert [r.split(" Candidate ")[0] for r in rows(owner_client.get("/acme/mailbox/sent/?who=mine"))] == \
        ["Wile E. Coyote From the owner Wile E. Coyote"]
    everyone = rows(owner_client.get("/acme/mailbox/sent/"))
    assert len(everyone) == 2 and "by Terry Teammate" in everyone[0]
    assert rows(owner_client.get("/acme/mailbox/sent/?who=everyone")) == everyone
    # A recruiter asking for everyone still gets their own.
    assert ["From the teammate" in r for r in rows(teammate_client.get("/acme/mailbox/sent/?who=everyone"))] == [True]
    assert "Everyone</a>" not in teammate_client.get("/acme/mailbox/sent/").content.decode()


def test_it_filters_by_status_audience_candidate_and_search(owner_client, owner, acme_candidate):
    send_to_candidate(owner, acme_candidate, subject="Welcome aboard")
    failed_message(owner, acme_candidate)
    send_to_candidate(owner, acme_candidate, subject="Reminder: documents")

    def subjects(query: str) -> list[str]:
        return [re.search(r"Wile E\. Coyote (.*?) Wile", r).group(1) for r in rows(owner_client.get(
            f"/acme/mailbox/sent/?who=mine&{query}"))]

    assert subjects("status=failed") == ["Offer letter for the rocket project"]
    assert subjects("q=welcome") == ["Welcome aboard"]
    assert subjects("q=wile.coyote%40acme") == ["Reminder: documents", "Offer letter for the rocket project",
                                               "Welcome aboard"]
    assert subjects("audience=team") == []
    assert len(subjects(f"candidate={acme_candidate.pk}")) == 3
    page = owner_client.get("/acme/mailbox/sent/?status=queued&q=nothing-like-this").content.decode()
    assert "No messages match." in page


def test_it_makes_failed_messages_stand_out_with_reason_and_retry(owner_client, owner, acme_candidate,
                                                                   django_capture_on_commit_callbacks):
    message = failed_message(owner, acme_candidate)
    page = owner_client.get("/acme/mailbox/sent/").content.decode()
    assert "1 message could not be sent." in page
    assert 'data-status="failed"' in page and "refused every recipient (550)" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/acme/mailbox/messages/{message.pk}/retry/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with across_tenants("test setup"):
        message.refresh_from_db()
        assert AuditEntry.objects.filter(action="message.retried").count() == 1
    assert (message.status, message.attempts, message.last_error) == (Message.Status.SENT, 2, "")
    assert len(mail.outbox) == 1
    assert "could not be sent" not in owner_client.get("/acme/mailbox/sent/").content.decode()


def test_it_shows_a_message_with_its_html_in_a_sandboxed_frame(owner_client, owner, acme_candidate):
    message = send_to_candidate(owner, acme_candidate, subject="Links", text="See https://example.com/jobs\n")
    with across_tenants("test setup"):
        Message.objects.filter(pk=message.pk).update(
            html_body='<p onclick="alert(1)">Hi<script>alert(2)</script><img src="https://tracker.test/p.gif">'
                      '<a href="javascript:alert(3)">click</a><a href="https://example.com/jobs">jobs</a></p>'
        )
    page = owner_client.get(f"/acme/mailbox/messages/{message.pk}/").content.decode()
    body_url = f"/acme/mailbox/messages/{message.pk}/body/"
    assert '<iframe class="mailbox-frame" sandbox="" referrerpolicy="no-referrer" ' in page
    assert f'src="{body_url}"' in page
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "Olivia Owner &lt;no-reply@recruitee.local&gt;" in page  # From
    assert "Olivia Owner &lt;owner@acme.test&gt;" in page  # Reply-To

    frame = owner_client.get(body_url)
    html = frame.content.decode()
    assert frame["Content-Security-Policy"].startswith("default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    assert frame["Content-Security-Policy"].endswith("sandbox")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html
    assert '<a href="https://example.com/jobs" rel="noopener noreferrer nofollow">jobs</a>' in html


def test_it_downloads_attachments_and_the_raw_message(owner_client, owner, acme_candidate):
    message = failed_message(owner, acme_candidate, with_attachment=True)
    with across_tenants("test setup"):
        attachment = Attachment.objects.get(message=message)
    response = owner_client.get(f"/acme/mailbox/messages/{message.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response.content == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="offer.pdf"'

    source = owner_client.get(f"/acme/mailbox/messages/{message.pk}/source/")
    assert source["Content-Disposition"] == f'attachment; filename="message-{message.pk}.eml"'
    assert f"Message-ID: {message.message_id}".encode() in source.content


def test_it_lists_the_messages_about_a_candidate_on_their_page(teammate_client, owner, teammate, acme_candidate):
    for n in range(12):
        send_to_candidate(owner if n % 2 else teammate, acme_candidate, subject=f"Update {n}")
    page = teammate_client.get(f"/acme/candidates/{acme_candidate.pk}/").content.decode()
    assert "newest 10 of 12" in page
    assert page.index("Update 11") < page.index("Update 2") and "Update 1<" not in page
    assert "Olivia Owner to Wile E. Coyote" in page  # teammates' emails to the candidate are shared


def test_it_keeps_team_mail_from_recruiters_and_other_peoples_mail_from_interviewers(
    owner_client, teammate_client, interviewer_client, owner, teammate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/acme/team/invitations/", {"email": "newbie@example.com", "role": "recruiter"})
    with across_tenants("test setup"):
        invitation = Message.objects.get(audience=Message.Audience.TEAM)
        assert invitation.status == Message.Status.SENT and invitation.sender == owner  # counts toward their limits
    assert owner_client.get(f"/acme/mailbox/messages/{invitation.pk}/").status_code == 200
    assert "Team" in rows(owner_client.get("/acme/mailbox/sent/?who=everyone"))[0]
    assert teammate_client.get(f"/acme/mailbox/messages/{invitation.pk}/").status_code == 404

    assert interviewer_client.get("/acme/mailbox/sent/").status_code == 200
    assert "What the Mailbox is for" in interviewer_client.get("/acme/mailbox/sent/").content.decode()


def test_it_renders_the_sent_tab_with_100000_messages_in_a_constant_number_of_queries(
    owner_client, owner, acme_candidate
):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(url).status_code == 200
        return len(captured)

    bulk_messages(owner, acme_candidate, 30)
    small = queries("/acme/mailbox/sent/?who=everyone")
    bulk_messages(owner, acme_candidate, 100_000 - 30, offset=30)
    with across_tenants("test setup"):
        assert Message.objects.count() == 100_000
    # session, user, company, membership, the layout's two, count, page, failed count, sending limits' use
    assert queries("/acme/mailbox/sent/?who=everyone") == small == 10
    # The oldest page (rows 99,976-100,000), by the cursor the Older link of the page above it carries.
    with across_tenants("test setup"):
        edge = Message.objects.order_by("-created_at", "-id")[99_974]
    cursor = cursor_token(Cursor(OLDER, edge.created_at, edge.pk, 99_976), company_id=owner.company_id)
    assert queries(f"/acme/mailbox/sent/?cursor={cursor}") == 10
    assert queries(f"/acme/mailbox/sent/?status=failed&q=follow-up&candidate={acme_candidate.pk}") == 11
