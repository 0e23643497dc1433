"""The demo recruiter emails a candidate in the browser; a real worker delivers it over SMTP; Sent shows it sent."""

import re

import pytest
from playwright.sync_api import expect

from recruitee.recruiting.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def worker_settings(smtp_server):
    return smtp_server.settings()


# transactional_db (through celery_worker) before live_server: the database must outlive the live server.
def test_it_emails_a_candidate_from_their_page_and_shows_it_queued_then_sent(
    celery_worker, smtp_server, live_server, page, results_dir
):
    seed_demo()
    problems = page.problems
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("recruiter@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).to_have_url(f"{live_server.url}/acme/")  # the home page
    page.get_by_role("link", name="Candidates", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")

    page.get_by_role("link", name="Sofia Martínez").click()
    page.get_by_role("link", name="Send email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email Sofia Martínez")
    page.get_by_label("Subject").fill("Your interview at Acme")
    body = page.get_by_label("Message")
    expect(body).to_have_value(re.compile(r"^Hi Sofia Martínez,"))
    body.fill("Hi Sofia,\n\nthanks for your time today. The next step is a call with the team.\n\nRita")
    page.get_by_label("Attachments").set_input_files(
        files=[{"name": "Interview guide.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 guide"}]
    )
    page.screenshot(path=str(results_dir / "compose.png"), full_page=True)
    problems.collect_csp()

    smtp_server.hold()  # the mail server takes its time: the pages show the message on its way
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Your email to Sofia Martínez is on its way.")
    status = page.locator("#candidate-messages [data-testid=message-status]").first
    expect(status).to_have_text(re.compile("Queued|Sending"))
    problems.collect_csp()

    page.get_by_role("link", name="Mailbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sent")
    row = page.locator("tr.mailbox-row").first
    expect(row).to_contain_text("Your interview at Acme")
    expect(row.get_by_test_id("message-status")).to_have_text(re.compile("Queued|Sending"))
    page.screenshot(path=str(results_dir / "queued.png"), full_page=True)

    smtp_server.release_answer()
    expect(row.get_by_test_id("message-status")).to_have_text("Sent", timeout=20_000)  # the badge polls
    page.screenshot(path=str(results_dir / "sent.png"), full_page=True)
    problems.collect_csp()

    row.get_by_role("link", name="Your interview at Acme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your interview at Acme")
    frame = page.frame_locator("iframe.mailbox-frame")
    expect(frame.locator("body")).to_contain_text("The next step is a call with the team.")
    expect(page.get_by_role("link", name="Interview guide.pdf")).to_be_visible()
    page.screenshot(path=str(results_dir / "message.png"), full_page=True)

    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
    [received] = smtp_server.received
    email = received.email
    assert email["To"].addresses[0].addr_spec == "sofia.martinez@example.com"
    assert email["From"].addresses[0].display_name == "Rita Recruiter"
    assert [part.get_filename() for part in email.iter_attachments()] == ["Interview guide.pdf"]
