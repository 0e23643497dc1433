"""A scheduling link for a panel of two, end to end: the recruiter previews and sends it; the candidate, in Tokyo,
sees only the times when both interviewers are free in their synced calendars, books one, moves it once and cancels
it; the recruiter follows every step on the candidate page, the interview page and in the Sent tab."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
from django.db import connections
from playwright.sync_api import expect

from recruitee.recruiting.demo import seed_demo
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership
from scheduling.models import CalendarInvite, Interview, SchedulingRequest
from scheduling.self_scheduling import offered_slots
from tests.browser import CHROMIUM, CHROMIUM_ARGS, RECORD_CSP_VIOLATIONS, PageProblems, results_dir  # noqa: F401
from tests.calendars.conftest import providers  # noqa: F401  (fixture)
from tests.e2e.test_calendar_connect import sign_in
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)
from tests.scheduling.helpers import messages_about

pytestmark = pytest.mark.browser

BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
BOOK_LINK = re.compile(r"https?://[^\s\"<>]+/book/[A-Za-z0-9_-]+/")
REASON = "I accepted another offer, thank you for your time."


@pytest.fixture
def browser():
    """One headless Chromium for three people: the recruiter, an interviewer and the candidate, each in a context
    of their own (tests/browser.py's persistent context is one person's)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()  # see tests/browser.py: the loop's thread keeps its connections otherwise


def person(browser, *, zone: str = "Europe/Berlin", locale: str = "en-US"):
    """A fresh browser context (no cookies, no storage) with one page that records console errors and CSP
    violations in `page.problems`."""
    context = browser.new_context(viewport=DESKTOP, locale=locale, timezone_id=zone)
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    page.problems = PageProblems(page)
    return page


def connect_calendar(page, base: str, provider: str, account: str) -> None:
    """Through the provider's (sandbox) consent page, then wait for the first full sync to finish."""
    page.goto(f"{base}/acme/calendars/")
    page.get_by_role("link", name=f"Connect {provider}").click()
    page.get_by_role("button", name=re.compile(re.escape(account))).click()
    expect(page.get_by_role("alert")).to_contain_text(f"{provider} Calendar · {account} is connected")
    expect(page.get_by_test_id("sync-status")).to_contain_text(re.compile(r"Synced [\d,]+ events"), timeout=30_000)
    page.problems.collect_csp()


def sync_now(page, base: str) -> None:
    """The person presses "Sync now" (the sync runs in the request: tasks are eager in the tests)."""
    page.goto(f"{base}/acme/calendars/")
    status = page.get_by_test_id("sync-status")
    with page.expect_response(lambda r: r.url.endswith("/sync/") and r.request.method == "POST") as answer:
        status.get_by_role("button", name="Sync now").click()
    assert answer.value.status == 200
    expect(status).to_contain_text(re.compile(r"Synced [\d,]+ events"), timeout=30_000)
    page.problems.collect_csp()


def add_busy_event(sandbox, provider: str, account: str, start: datetime, end: datetime, summary: str) -> None:  # noqa: F811
    """As if the person had put it in their calendar app: through the sandbox's control API."""
    session = requests.Session()
    session.trust_env = False
    answer = session.post(f"{sandbox.google_url}/_sandbox/events", timeout=10, json={
        "provider": provider, "email": account, "summary": summary,
        "start": start.astimezone(UTC).isoformat(), "end": end.astimezone(UTC).isoformat(),
    })
    assert answer.status_code == 201, answer.text


def starts(request: SchedulingRequest) -> set[datetime]:
    """What the service offers the candidate now."""
    with across_tenants("test setup"):
        fresh = SchedulingRequest.objects.select_related("company", "candidate", "interview").get(pk=request.pk)
        return {slot.start for slot in offered_slots(fresh)}


def page_starts(page) -> list[datetime]:
    """The instants of the slot links on the candidate's page, in page order."""
    hrefs = page.locator("a.booking-slot").evaluate_all("links => links.map(link => link.getAttribute('href'))")
    return [datetime.strptime(parse_qs(urlsplit(href).query)["start"][0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            for href in hrefs]


def overlapping(moments, start: datetime, end: datetime, duration: timedelta) -> list[datetime]:
    return [moment for moment in moments if moment < end and moment + duration > start]


def slot_label(start: datetime, duration: timedelta, zone: ZoneInfo) -> str:
    """How the candidate's page names a slot (its link's accessible name)."""
    s, e = start.astimezone(zone), (start + duration).astimezone(zone)
    return f"{s:%A} {s.day} {s:%B}, {s:%H:%M}–{e:%H:%M}"


def history_when(moment: datetime) -> str:
    """How the interview's history names a time (in the interview's zone, here the request's: Europe/Berlin)."""
    local = moment.astimezone(BERLIN)
    return f"{local:%A}, {local.day} {local:%B %Y}, {local:%H:%M}"


def interview_when(start: datetime, duration: timedelta) -> str:
    """How the interview page's header names its time (in the interview's zone)."""
    s, e = start.astimezone(BERLIN), (start + duration).astimezone(BERLIN)
    return f"{s:%A}, {s.day} {s:%B %Y}, {s:%H:%M}–{e:%H:%M}"


def history_of(page):
    """The entries of the History card on the interview page, newest first."""
    return page.locator(".card", has=page.get_by_role("heading", name="History")).locator("li")


def request_row(page):
    return page.get_by_test_id("scheduling-link").filter(has_text="Interview: Senior Backend Engineer")


def test_it_lets_the_candidate_book_move_and_cancel_a_panel_interview_through_a_link(
    transactional_db, live_server, settings, sandbox, providers, browser, results_dir, mailoutbox  # noqa: F811
):
    settings.SITE_URL = live_server.url
    seed_demo()
    base = live_server.url  # `providers` points the app at the (reset) sandbox
    hour = timedelta(hours=1)

    # The panel: Rita (the recruiter, Google) and Dana (an interviewer, Outlook), each connecting their own calendar.
    rita = person(browser)
    sign_in(rita, base, "recruiter@acme.test")
    connect_calendar(rita, base, "Google", "recruiter@acme.test")
    dana = person(browser)
    sign_in(dana, base, "interviewer@acme.test")
    connect_calendar(dana, base, "Outlook", "interviewer@acme.test")

    # The recruiter's form: a panel of both, invitations by email and, for the interviewers, by calendar too.
    rita.goto(f"{base}/acme/candidates/")
    rita.get_by_role("link", name="Sofia Martínez").click()
    rita.get_by_role("link", name="Send scheduling link").click()
    expect(rita.get_by_role("heading", level=1)).to_have_text("Send Sofia Martínez a scheduling link")
    expect(rita.get_by_label("Duration (minutes)")).to_have_value("60")
    panel = rita.get_by_test_id("panel")
    panel.get_by_label(re.compile("^Rita Recruiter")).check()
    panel.get_by_label("Dana Schmidt").check()
    rita.get_by_label("Location").fill("Acme HQ, Room 4")
    expect(rita.locator("label[for=id_interviewers_calendar]")).to_have_text(
        "Calendar (Google Calendar · recruiter@acme.test)")
    rita.locator("#id_interviewers_calendar").check()
    rita.get_by_role("button", name="Preview", exact=True).click()
    preview = rita.get_by_test_id("slot-preview")
    expect(preview).to_contain_text("What Sofia Martínez would see now")
    expect(preview.get_by_test_id("slot-count")).to_contain_text(re.compile(r"^\d+ times? to choose from"))
    expect(preview.get_by_test_id("slot-count")).to_contain_text("in Europe/Berlin")
    expect(preview.get_by_test_id("slot-problems")).to_have_count(0)
    expect(panel.get_by_label("Dana Schmidt")).to_be_checked()  # the form keeps what was chosen
    rita.screenshot(path=str(results_dir / "recruiter-preview-desktop.png"), full_page=True)
    rita.set_viewport_size(PHONE)
    rita.screenshot(path=str(results_dir / "recruiter-preview-phone.png"), full_page=True)
    rita.set_viewport_size(DESKTOP)
    rita.problems.collect_csp()
    rita.get_by_role("button", name="Send link", exact=True).click()
    expect(rita.get_by_role("alert")).to_contain_text(
        "The scheduling link for “Interview: Senior Backend Engineer” is on its way to Sofia Martínez")
    expect(request_row(rita).locator(".badge")).to_have_text("Link sent")

    with across_tenants("test setup"):
        request = SchedulingRequest.objects.get()
        rita_member = Membership.objects.get(user__email="recruiter@acme.test")
        dana_member = Membership.objects.get(user__email="interviewer@acme.test")
        assert {m.member_id for m in request.members.all()} == {rita_member.pk, dana_member.pk}
    [email] = [m for m in mailoutbox if m.to == ["Sofia Martínez <sofia.martinez@example.com>"]]
    assert email.subject == "Acme Inc.: please pick a time for your interview"
    link = BOOK_LINK.search(email.body).group(0)
    assert link.startswith(base)

    # Two times both are free now (mid-window, far from the notice); then Dana gets busy at the first and Rita at
    # the second, each in their own calendar app.
    before = sorted(starts(request))
    assert len(before) >= 4, before
    dana_busy = before[len(before) // 2]
    apart = [s for s in before if abs(s - dana_busy) >= 2 * hour]
    rita_busy = apart[len(apart) // 2]
    add_busy_event(sandbox, "microsoft", "interviewer@acme.test", dana_busy, dana_busy + hour, "Dentist appointment")
    add_busy_event(sandbox, "google", "recruiter@acme.test", rita_busy, rita_busy + hour, "Quarterly review")
    sync_now(dana, base)
    sync_now(rita, base)
    free_before_page = starts(request)
    assert not overlapping(free_before_page, dana_busy, dana_busy + hour, hour)  # Rita is free then; Dana is not
    assert not overlapping(free_before_page, rita_busy, rita_busy + hour, hour)  # and the other way round

    # The candidate: a fresh browser in Tokyo, no account, only the link.
    sofia = person(browser, zone="Asia/Tokyo", locale="ja-JP")
    sofia.goto(link)
    expect(sofia).to_have_url(re.compile(r"\?tz=Asia%2FTokyo$"))
    expect(sofia.get_by_text("Times are shown in Asia/Tokyo.")).to_be_visible()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("Interview: Senior Backend Engineer")
    expect(sofia.locator(".booking-company")).to_have_text("Acme Inc.")
    expect(sofia.locator(".booking-facts")).to_contain_text("Interview, 1 hour")
    expect(sofia.locator(".booking-facts")).to_contain_text("Acme HQ, Room 4")
    expect(sofia.locator("a.booking-slot").first).to_be_visible()
    shown = page_starts(sofia)
    free_after_page = starts(request)
    # Slots only disappear as time passes (the notice): what the page offered lies between the service's answers
    # from just before and just after it.
    assert free_after_page <= set(shown) <= free_before_page
    assert len(shown) == len(set(shown)) and shown == sorted(shown)
    assert not overlapping(shown, dana_busy, dana_busy + hour, hour)
    assert not overlapping(shown, rita_busy, rita_busy + hour, hour)
    # Nothing of the calendars but "free at this time": no titles, no interviewers' names (the recruiter did not
    # show them; Rita appears only below the card, as the person to write to).
    for private in ("Dentist appointment", "Quarterly review", "Dana Schmidt"):
        expect(sofia.locator("body")).not_to_contain_text(private)
    expect(sofia.locator(".booking-card")).not_to_contain_text("Rita Recruiter")
    expect(sofia.locator(".booking-contact")).to_contain_text("Questions? Write to Rita Recruiter")
    # Grouped by the candidate's days, in Tokyo time.
    first_local = shown[0].astimezone(TOKYO)
    expect(sofia.locator(".booking-day-heading").first).to_have_text(
        f"{first_local:%A} {first_local.day} {first_local:%B %Y}")
    expect(sofia.locator("a.booking-slot").first).to_have_text(f"{first_local:%H:%M}")
    sofia.screenshot(path=str(results_dir / "candidate-slots-desktop.png"), full_page=True)
    sofia.set_viewport_size(PHONE)
    sofia.screenshot(path=str(results_dir / "candidate-slots-phone.png"), full_page=True)
    sofia.set_viewport_size(DESKTOP)
    sofia.problems.collect_csp()

    # Booking: a time on the last day with slots, well past the cutoff for changes.
    booked = shown[-1]
    sofia.get_by_role("link", name=slot_label(booked, hour, TOKYO)).click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text(f"Book {slot_label(booked, hour, TOKYO)} (Asia/Tokyo)?")
    sofia.problems.collect_csp()
    sofia.get_by_role("button", name="Book this time").click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("You are booked")
    facts = sofia.locator(".booking-facts")
    expect(facts).to_contain_text(f"{slot_label(booked, hour, TOKYO)} (Asia/Tokyo)")
    expect(facts).to_contain_text("Dana Schmidt")  # once booked, the invitation names them anyway
    ics_href = sofia.get_by_role("link", name="Add to calendar (.ics)").get_attribute("href")
    ics = sofia.request.get(base + ics_href)
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "SEQUENCE:0" in ics.text() and booked.strftime("DTSTART:%Y%m%dT%H%M%SZ") in ics.text()
    sofia.screenshot(path=str(results_dir / "candidate-booked.png"), full_page=True)
    sofia.problems.collect_csp()

    with across_tenants("test setup"):
        interview = Interview.objects.get()
        assert (interview.start, interview.sequence) == (booked, 0)
        assert sorted(messages_about(interview).values_list("audience", flat=True)) == ["candidate", "interviewers"]

    # The recruiter: the Sent tab (the link, then the invitations), the candidate page, the interview page.
    rita.goto(f"{base}/acme/candidates/")
    rita.get_by_role("link", name="Mailbox").click()
    expect(rita.get_by_role("heading", level=1)).to_have_text("Sent")
    rows = rita.locator("tr.mailbox-row")
    expect(rows).to_have_count(3)
    link_row = rows.filter(has_text="Acme Inc.: please pick a time for your interview")
    expect(link_row).to_contain_text("Sofia Martínez")
    expect(link_row.get_by_test_id("message-status")).to_have_text("Sent")
    invitations = rows.filter(has_not_text="please pick a time")
    expect(invitations.filter(has_text="Candidate")).to_contain_text("Sofia Martínez")
    expect(invitations.filter(has_text="Interviewers")).to_contain_text("Dana Schmidt")
    expect(invitations.get_by_test_id("message-status")).to_have_text(["Sent", "Sent"])
    rita.screenshot(path=str(results_dir / "recruiter-sent-tab.png"), full_page=True)
    rita.problems.collect_csp()

    rita.goto(f"{base}/acme/candidates/")
    rita.get_by_role("link", name="Sofia Martínez").click()
    expect(request_row(rita).locator(".badge").first).to_have_text("Booked")
    request_row(rita).get_by_role("link", name="Interview: Senior Backend Engineer").click()
    expect(rita.get_by_role("heading", level=1)).to_have_text("Interview: Senior Backend Engineer")
    header = rita.get_by_role("heading", level=1).locator("xpath=following-sibling::div")
    expect(header).to_have_text(re.compile(rf"^Interview · {re.escape(interview_when(booked, hour))} Europe/Berlin"))
    people = rita.get_by_test_id("participant")
    expect(people).to_have_count(3)
    for name in ("Rita Recruiter", "Dana Schmidt", "Sofia Martínez"):
        expect(people.filter(has_text=name)).to_have_count(1)
    expect(rita.get_by_test_id("calendar-status")).to_have_text("Created")
    history = history_of(rita)
    expect(history).to_have_count(1)
    expect(history).to_contain_text([
        re.compile(rf"· Scheduled for {re.escape(history_when(booked))} \(Europe/Berlin\) by the candidate$")])
    rita.screenshot(path=str(results_dir / "recruiter-interview-booked.png"), full_page=True)
    interview_url = rita.url
    rita.problems.collect_csp()

    # The candidate moves it once, to a time on another day.
    sofia.get_by_role("link", name="Pick another time").click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("Pick a new time")
    expect(sofia.get_by_text(f"It is now on {slot_label(booked, hour, TOKYO)} (Asia/Tokyo).")).to_be_visible()
    choices = page_starts(sofia)
    assert booked not in choices
    assert not overlapping(choices, dana_busy, dana_busy + hour, hour)
    assert not overlapping(choices, rita_busy, rita_busy + hour, hour)
    moved = next(s for s in reversed(choices) if s.astimezone(BERLIN).date() != booked.astimezone(BERLIN).date())
    sofia.get_by_role("link", name=slot_label(moved, hour, TOKYO)).click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text(
        f"Move to {slot_label(moved, hour, TOKYO)} (Asia/Tokyo)?")
    sofia.get_by_role("button", name="Move it to this time").click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(sofia.locator(".booking-facts")).to_contain_text(f"{slot_label(moved, hour, TOKYO)} (Asia/Tokyo)")
    sofia.problems.collect_csp()

    with across_tenants("test setup"):
        interview.refresh_from_db()
        assert (interview.start, interview.sequence) == (moved, 1)
        assert sorted(messages_about(interview).values_list("audience", flat=True)) == [
            "candidate", "candidate", "interviewers", "interviewers"]
    rita.goto(interview_url)
    expect(header).to_have_text(re.compile(rf"^Interview · {re.escape(interview_when(moved, hour))} Europe/Berlin"))
    expect(rita.get_by_test_id("calendar-status")).to_have_text("Updated")
    expect(rita.get_by_test_id("interview-message")).to_have_count(4)

    # Then cancels it, with a reason for the recruiter.
    sofia.get_by_role("link", name="Cancel the interview").click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("Cancel your interview?")
    sofia.get_by_label("Anything you would like to tell us?").fill(REASON)
    sofia.get_by_role("button", name="Cancel the interview").click()
    expect(sofia.get_by_role("heading", level=1)).to_have_text("Your interview is cancelled")
    expect(sofia.locator(".booking-note")).to_have_text(f"Your note: {REASON}")
    sofia.screenshot(path=str(results_dir / "candidate-cancelled.png"), full_page=True)
    sofia.problems.collect_csp()

    rita.goto(interview_url)
    expect(rita.get_by_role("heading", level=1)).to_contain_text("Cancelled")
    expect(rita.get_by_test_id("calendar-status")).to_have_text("Cancelled")
    expect(rita.get_by_test_id("interview-message")).to_have_count(6)
    rita.screenshot(path=str(results_dir / "recruiter-interview-cancelled.png"), full_page=True)
    expect(history).to_contain_text([
        re.compile(rf"· Cancelled: “{re.escape(REASON)}” by the candidate$"),
        re.compile(rf"· Rescheduled from {re.escape(history_when(booked))} to {re.escape(history_when(moved))} "
                   r"\(Europe/Berlin\) by the candidate$"),
        re.compile(rf"· Scheduled for {re.escape(history_when(booked))} \(Europe/Berlin\) by the candidate$"),
    ])
    rita.get_by_role("link", name="Sofia Martínez").first.click()
    row = request_row(rita)
    expect(row.locator(".badge").first).to_have_text("Cancelled by the candidate")
    expect(row).to_contain_text(f"The candidate’s reason: “{REASON}”")
    rita.screenshot(path=str(results_dir / "recruiter-candidate-cancelled.png"), full_page=True)

    with across_tenants("test setup"):
        interview.refresh_from_db()
        request.refresh_from_db()
        assert interview.is_cancelled and interview.sequence == 2
        assert (request.status, request.reschedules, request.cancel_reason) == (
            SchedulingRequest.Status.CANCELLED, 1, REASON)
        assert CalendarInvite.objects.get(interview=interview).status == CalendarInvite.Status.CANCELLED
        assert sorted(messages_about(interview).values_list("audience", flat=True)) == [
            "candidate", "candidate", "candidate", "interviewers", "interviewers", "interviewers"]
    # Dana is invited through Rita's Google calendar as well: an invitation, an update, a cancellation.
    assert [o["kind"] for o in sandbox.state.outbox_entries() if o["attendee"] == "interviewer@acme.test"] == [
        "invite", "update", "cancel"]

    for page in (rita, dana, sofia):
        problems = page.problems.all()
        assert problems == [], "the browser reported problems:\n" + "\n".join(problems)
