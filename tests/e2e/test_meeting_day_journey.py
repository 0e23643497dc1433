"""Issue 13's day, end to end in a browser against the calendar sandbox: the demo recruiter schedules with a Google
Meet link; the interviewer accepts on the sandbox's control page and the interview page says "Accepted" (push, then
the sync); the event is moved on the control page and the recruiter applies the move; the candidate's reminder
appears in the Sent tab at its time (the beat's sweep, run at that moment)."""

import re
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from recruitee.recruiting.demo import seed_demo
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company, Membership
from scheduling.models import Interview, ReminderOffset
from scheduling.reminders import reminder_settings_save, reminders_send_due
from tests.calendars.conftest import providers  # noqa: F401  (fixture)
from tests.e2e.test_calendar_connect import sign_in
from tests.e2e.test_scheduling_journey import next_tuesday
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

RITA = "recruiter@acme.test"
BERLIN = ZoneInfo("Europe/Berlin")


def reload_until(page, check, timeout: float = 30.0) -> None:
    """Reload the page until `check(page)` holds, as a person waiting for news would (the page has no live update)."""
    deadline = page.evaluate("Date.now()") + timeout * 1000
    while not check(page):
        assert page.evaluate("Date.now()") < deadline, "the page never showed it"
        page.wait_for_timeout(500)
        page.reload()


def test_the_recruiter_sees_the_meet_link_the_answer_the_move_and_the_reminder(
    transactional_db, live_server, settings, sandbox, providers, page, results_dir  # noqa: F811
):
    settings.SITE_URL = live_server.url  # the providers send the browser back, and their push, here
    settings.CALENDAR_PUSH_ENABLED = True
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        acme = Company.objects.get(slug="acme")
        admin = Membership.objects.get(company=acme, user__email="admin@acme.test")
    with scope(company=acme.pk):
        reminder_settings_save(company=acme, candidate_offsets=[ReminderOffset.MINUTES_15], interviewer_offsets=[],
                               actor=admin.user)

    sign_in(page, base, RITA)
    page.goto(f"{base}/acme/calendars/")
    page.get_by_role("link", name="Connect Google").click()
    page.get_by_role("button", name=re.compile(RITA)).click()
    expect(page.get_by_role("alert")).to_contain_text(f"Google Calendar · {RITA} is connected")
    expect(page.get_by_test_id("sync-status").first).to_contain_text(re.compile(r"Synced [\d,]+ events"),
                                                                      timeout=30_000)

    # Scheduled with a Meet link; Dana invited by the calendar only.
    page.goto(f"{base}/acme/candidates/")
    page.get_by_role("link", name="Sofia Martínez").click()
    page.get_by_role("link", name="Schedule interview").click()
    page.get_by_label("Date").fill(next_tuesday().isoformat())
    page.locator("#id_start_time").fill("10:00")
    page.get_by_label("Dana Schmidt").check()
    page.get_by_label("Add a Google Meet link").check()
    page.get_by_role("button", name="Next: how to invite").click()
    page.locator("#id_interviewers_calendar").check()
    page.locator("#id_interviewers_email").uncheck()
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.get_by_role("alert")).to_contain_text("is scheduled")
    meeting = page.get_by_test_id("meeting")
    expect(meeting.get_by_role("link")).to_have_text(re.compile(r"^https://meet\.google\.com/[a-z-]+$"))
    link = meeting.get_by_role("link").text_content()
    problems.collect_csp()

    # Dana accepts in "her calendar": the sandbox's control page answers on the organizer's event.
    control = page.context.new_page()
    control.goto(f"{sandbox.google_url}/_sandbox/account?{urlencode({'provider': 'google', 'email': RITA})}")
    row = control.locator("tr", has=control.locator("select[name=attendee]")).filter(
        has_text="Interview: Senior Backend Engineer")
    row.locator("select[name=attendee]").select_option("interviewer@acme.test")
    row.get_by_role("button", name="Accept").click()
    dana = page.locator("tr", has_text="Dana Schmidt")
    reload_until(page, lambda p: "Accepted" in dana.inner_text())
    page.screenshot(path=str(results_dir / "accepted.png"), full_page=True)

    # The event is moved an hour later in the calendar; the recruiter applies it.
    with across_tenants("test setup"):
        interview = Interview.objects.get()
    moved = interview.start + timedelta(hours=1)
    control.goto(f"{sandbox.google_url}/_sandbox/account?{urlencode({'provider': 'google', 'email': RITA})}")
    row = control.locator("tr", has=control.locator("input[name=start]")).filter(
        has_text="Interview: Senior Backend Engineer")
    row.locator("input[name=start]").fill(moved.astimezone(BERLIN).strftime("%Y-%m-%dT%H:%M"))  # Rita's zone
    row.get_by_role("button", name="Move").click()
    change = page.get_by_test_id("outside-change")
    reload_until(page, lambda p: change.count() == 1)
    expect(change).to_contain_text("Moved in Google Calendar to Tue 11:00–12:00")
    change.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("alert")).to_contain_text("The interview takes the calendar's time")
    expect(page.get_by_role("heading", level=1).locator("..")).to_contain_text("11:00–12:00")
    expect(meeting).to_contain_text(link)  # the same meeting
    page.screenshot(path=str(results_dir / "moved.png"), full_page=True)
    problems.collect_csp()

    # The beat's sweep at the reminder's time (15 minutes before the new start): the reminder is in the Sent tab.
    with scope(company=acme.pk):
        assert reminders_send_due(company=acme, now=moved - timedelta(minutes=16)) == []
        assert len(reminders_send_due(company=acme, now=moved - timedelta(minutes=15))) == 1
    page.get_by_role("link", name="Mailbox").click()
    rows = page.locator("tr.mailbox-row")
    reminder = rows.filter(has_text="Reminder: Interview with Acme Inc.")
    expect(reminder).to_have_count(1)
    expect(reminder).to_contain_text("Sofia Martínez")
    expect(reminder).to_contain_text("11:00")
    page.screenshot(path=str(results_dir / "sent.png"), full_page=True)
    problems.collect_csp()

    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
