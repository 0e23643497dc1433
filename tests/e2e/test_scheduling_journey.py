"""The demo recruiter schedules an interview: candidate page → Find time → two invitations, one by calendar too."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite, Interview
from tests.calendars.conftest import PROVIDER_SETTINGS
from tests.e2e.test_calendar_connect import sign_in
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)
from tests.scheduling.helpers import messages_about

pytestmark = pytest.mark.browser


def next_tuesday() -> date:
    today = date.today()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def test_it_schedules_from_the_candidate_page_and_sends_two_invitations(
    transactional_db, live_server, settings, sandbox, page, results_dir  # noqa: F811
):
    env = sandbox.env()
    for name in PROVIDER_SETTINGS:
        setattr(settings, name, env[name])
    settings.SITE_URL = live_server.url
    from recruitee.recruiting.demo import seed_demo

    seed_demo()
    base, problems = live_server.url, page.problems
    sign_in(page, base, "recruiter@acme.test")

    # A connected calendar: busy times in the grid and the calendar channel in step 2.
    page.goto(f"{base}/acme/calendars/")
    page.get_by_role("link", name="Connect Google").click()
    page.get_by_role("button", name=re.compile("recruiter@acme.test")).click()
    expect(page.get_by_role("alert")).to_contain_text("Google Calendar · recruiter@acme.test is connected")

    page.goto(f"{base}/acme/candidates/")
    page.get_by_role("link", name="Sofia Martínez").click()
    grid_requests = []
    page.on("request", lambda request: grid_requests.append(request.url) if "/find-time/" in request.url else None)
    page.get_by_role("link", name="Schedule interview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule event with Sofia Martínez")
    day = next_tuesday()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Date").dispatch_event("change")
    page.get_by_label("Dana Schmidt").check()
    page.get_by_label("Video link").fill("https://meet.example.com/acme-sofia")
    grid = page.get_by_test_id("find-time")
    expect(grid.get_by_test_id("find-time-day")).to_have_count(5)  # five working days from Tuesday
    expect(grid.get_by_test_id("find-time-day").first.get_by_test_id("find-time-row")).to_have_count(2)
    expect(grid).to_contain_text("Dana Schmidt")
    expect(grid).to_contain_text("availability unknown")  # Dana has no calendar connected
    free = grid.locator(".ft-slot.ft-slot-free").last
    chosen = free.get_attribute("data-time")
    free.click()
    expect(page.locator("#id_start_time")).to_have_value(chosen)
    hours, minutes = map(int, chosen.split(":"))
    slot = (hours - 7) * 4 + minutes // 15  # the grid starts at 07:00, in quarter hours
    expect(page.locator(f".ft-proposed.ft-l-{slot}")).to_have_count(2)  # redrawn around the new time
    page.screenshot(path=str(results_dir / "step-1-find-time.png"), full_page=True)
    # The grid is fetched with GET: the form's CSRF token must not ride along into access logs.
    assert grid_requests and not [url for url in grid_requests if "csrfmiddlewaretoken" in url]
    problems.collect_csp()
    page.get_by_role("button", name="Next: how to invite").click()

    expect(page.get_by_text("Invite candidate via:")).to_be_visible()
    calendar_box = page.locator("#id_interviewers_calendar")
    expect(page.locator("label[for=id_interviewers_calendar]")).to_have_text(
        "Calendar (Google Calendar · recruiter@acme.test)")
    expect(page.locator("#id_candidate_email")).to_be_checked()
    expect(page.locator("#id_interviewers_email")).to_be_checked()
    calendar_box.check()
    message = ("Hi {candidate_first_name},\n\nlooking forward to meeting you on {event_date} at {event_time}.\n\n"
               "Video call: {video_link}\n\nRita")
    with page.expect_response(lambda r: "/schedule/invite/" in r.url and r.request.method == "POST"
                              and "Rita" in (r.request.post_data or "") and r.status == 204):
        page.get_by_label("Message").first.fill(message)  # kept in the draft while typing
    # A reload, then "Change" and back to step 2: the edits and channel choices are all still there.
    page.reload()
    expect(page.get_by_label("Message").first).to_have_value(message)
    page.get_by_role("button", name="‹ Change").click()
    expect(page.locator("#id_video_link")).to_have_value("https://meet.example.com/acme-sofia")
    page.get_by_role("button", name="Next: how to invite").click()
    expect(page.get_by_label("Message").first).to_have_value(message)
    expect(calendar_box).to_be_checked()
    page.get_by_role("button", name="Update preview").click()
    expect(page.get_by_test_id("preview-candidate")).to_contain_text("looking forward to meeting you")
    expect(page.get_by_test_id("preview-candidate")).to_contain_text("Europe/Madrid")
    page.get_by_text("Customize email to interviewers").click()
    expect(page.get_by_test_id("preview-interviewers")).to_contain_text("you are interviewing Sofia Martínez")
    expect(page.get_by_test_id("preview-interviewers")).not_to_contain_text("looking forward")
    page.screenshot(path=str(results_dir / "step-2-invite.png"), full_page=True)
    problems.collect_csp()
    second_tab = page.context.new_page()  # the same step 2, open twice
    second_tab.goto(page.url)
    page.get_by_role("button", name="Schedule and send invitations").click()

    expect(page.get_by_role("alert")).to_contain_text("is scheduled")
    interview_url = page.url
    second_tab.get_by_role("button", name="Schedule and send invitations").click()
    expect(second_tab.get_by_role("heading", level=1)).to_have_text("Already scheduled")
    second_tab.get_by_role("link", name="Open the interview").click()
    assert second_tab.url == interview_url
    second_tab.close()
    expect(page.get_by_test_id("calendar-status")).to_have_text("Created")
    page.screenshot(path=str(results_dir / "interview-page.png"), full_page=True)
    problems.collect_csp()

    page.get_by_role("link", name="Mailbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sent")
    rows = page.locator("tr.mailbox-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Interviewers")).to_contain_text("Dana Schmidt")
    expect(rows.filter(has_text="Candidate")).to_contain_text("Sofia Martínez")
    page.screenshot(path=str(results_dir / "sent-tab.png"), full_page=True)

    # Reschedule from the ledger: the provider updates Dana, our email updates Sofia; then cancel.
    page.get_by_role("link", name="Sofia Martínez", exact=True).first.click()
    page.get_by_role("link", name=re.compile("^Interview: Senior Backend Engineer")).click()
    page.get_by_role("link", name="Reschedule").click()
    expect(page.locator("#id_duration")).to_have_value("60")
    page.get_by_test_id("find-time-day").first.locator(".ft-slot[data-time='11:00']").click()
    expect(page.locator("#id_start_time")).to_have_value("11:00")
    expect(page.locator(".ft-proposed.ft-l-16")).to_have_count(2)  # 11:00 is slot 16 of the 07:00 grid
    page.screenshot(path=str(results_dir / "reschedule.png"), full_page=True)
    page.get_by_role("button", name="Save and notify").click()
    expect(page.get_by_role("alert")).to_contain_text("Rescheduled")
    expect(page.get_by_test_id("calendar-status")).to_have_text("Updated")
    expect(page.get_by_role("heading", level=1).locator("xpath=following-sibling::div")).to_contain_text("11:00–12:00")
    expect(page.get_by_test_id("interview-message")).to_have_count(4)  # + an update for each audience
    page.get_by_role("link", name="Cancel event").click()
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.get_by_role("alert")).to_contain_text("is cancelled")
    expect(page.get_by_test_id("calendar-status")).to_have_text("Cancelled")
    page.screenshot(path=str(results_dir / "interview-cancelled.png"), full_page=True)
    problems.collect_csp()

    with across_tenants("test setup"):
        interview = Interview.objects.get()
        # Invitation, update, cancellation: to Sofia by our email, to Dana by ours without .ics and by Google.
        assert sorted(messages_about(interview).values_list("audience", flat=True)) == [
            "candidate", "candidate", "candidate", "interviewers", "interviewers", "interviewers"]
        assert interview.sequence == 2 and interview.is_cancelled
        assert CalendarInvite.objects.get(interview=interview).status == CalendarInvite.Status.CANCELLED
    assert [(o["kind"], o["attendee"]) for o in sandbox.state.outbox_entries()] == [
        ("invite", "interviewer@acme.test"), ("update", "interviewer@acme.test"),
        ("cancel", "interviewer@acme.test")]
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_it_lets_an_admin_edit_the_invite_templates_with_a_preview(transactional_db, live_server, page, results_dir):
    from recruitee.recruiting.demo import seed_demo

    seed_demo()
    base, problems = live_server.url, page.problems
    sign_in(page, base, "admin@acme.test")
    page.goto(f"{base}/acme/settings/")
    page.get_by_role("link", name="Invite templates").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Candidate: invitation")
    page.get_by_role("link", name="Interviewers: update").click()
    page.get_by_label("Subject").fill("Moved: {candidate_name} on {event_date}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".email-preview")).to_contain_text("Moved: Alex Morgan on Monday, 29 March 2027")
    page.get_by_label("Message").fill("Hi {candidate.user.password}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Unknown placeholder: {candidate.user.password}")
    page.get_by_label("Message").fill("The interview with {candidate_name} moved to {event_date}, {event_time}.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Template saved")
    expect(page.get_by_role("link", name=re.compile("Interviewers: update"))).to_contain_text("edited")
    page.screenshot(path=str(results_dir / "invite-templates.png"), full_page=True)
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
