"""The home page and the Interviews list in a real browser: where signing in lands, what each role sees, the
filters with and without JavaScript, strict CSP, and pages that fit a desktop and a phone."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from recruitee.recruiting.models import Job
from recruitee.tenancy.db import across_tenants
from scheduling.models import Participant, SchedulingRequest
from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD

from .home_data import candidate, interview, live_in, noon_zone, scheduling_link

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# A name without spaces, as people paste them: it must wrap, not widen the page.
LONG_NAME = "Maximiliana" + "x" * 90 + "Longname"


def sign_in(tab, base: str, email: str) -> None:
    tab.goto(f"{base}/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name=re.compile("sign in", re.I)).click()


def fits(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def shoot(tab, folder, name: str) -> None:
    """Screenshots at desktop and phone size, each checked for a page wider than the screen."""
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        tab.set_viewport_size(viewport)
        tab.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        assert fits(tab), f"{name} is wider than the {size} screen"
    tab.set_viewport_size(DESKTOP)


@pytest.fixture
def day(teammate, interviewer, owner, acme_candidate):
    """Everyone where it is around noon; the teammate's day: a tech screen in an hour that the interviewer
    declined, and one tomorrow with a long-named candidate the interviewer has not answered yet."""
    zone = noon_zone()
    for member in (teammate, interviewer, owner):
        live_in(member, zone)
    with across_tenants("test setup"):
        design = Job.objects.create(company=teammate.company, title="Product Designer")
    long_named = candidate(teammate.company, LONG_NAME, "maxi@candidates.test", job=design)
    now = timezone.now()
    screen = interview(teammate, acme_candidate, start=now + timedelta(hours=1), title="Tech screen",
                       interviewers=[interviewer, owner],
                       answers={interviewer: Participant.Response.DECLINED, owner: Participant.Response.ACCEPTED})
    tomorrow = interview(teammate, long_named, start=now + timedelta(hours=24), title="Portfolio review",
                         interviewers=[interviewer])
    interview(owner, acme_candidate, start=now + timedelta(hours=3), title="Owner's own chat")
    interview(teammate, acme_candidate, start=now - timedelta(days=3), title="First call")
    scheduling_link(teammate, long_named, last_day=date.today() + timedelta(days=1), title="Design chat",
                    status=SchedulingRequest.Status.OPENED)
    return {"screen": screen, "tomorrow": tomorrow, "design": design, "long_named": long_named}


# transactional_db first: the database must outlive the (session-wide) live server.
def test_the_recruiter_lands_on_their_day_with_todays_interview_and_a_decline(
    transactional_db, live_server, page, results_dir, day  # noqa: F811
):
    base, problems = live_server.url, page.problems
    sign_in(page, base, "teammate@acme.test")
    expect(page).to_have_url(f"{base}/acme/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Terry Teammate")
    expect(page.get_by_role("link", name="Home", exact=True)).to_have_class(re.compile(r"\bactive\b"))

    upcoming = page.get_by_test_id("home-upcoming")
    expect(upcoming.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()
    today = upcoming.get_by_test_id("home-interview").first
    expect(today).to_contain_text("Tech screen")
    expect(today).to_contain_text("Wile E. Coyote")
    expect(today).to_contain_text("Secret Rocket Engineer")
    expect(today.get_by_test_id("interviewers")).to_contain_text("Ivan Interviewer Declined")
    expect(today.get_by_test_id("interviewers")).to_contain_text("Olivia Owner Accepted")
    expect(upcoming).not_to_contain_text("Owner's own chat")

    alert = page.get_by_test_id("decline-alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Ivan Interviewer declined Tech screen with Wile E. Coyote")
    attention = page.get_by_test_id("home-attention")
    expect(attention.get_by_test_id("attention-scheduling_link")).to_contain_text(
        f"{LONG_NAME} opened the link but has not booked “Design chat”")
    expect(attention.get_by_test_id("attention-unanswered")).to_contain_text(
        "Ivan Interviewer has not answered the invitation to Portfolio review")
    shoot(page, results_dir, "home-recruiter")
    problems.collect_csp()

    alert.get_by_role("link", name="Open the interview").click()
    expect(page).to_have_url(f"{base}/acme/interviews/{day['screen'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tech screen")
    expect(page.get_by_role("link", name="Interviews", exact=True)).to_have_class(re.compile(r"\bactive\b"))
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_the_interviewers_home_shows_their_interviews_and_what_they_owe(
    transactional_db, live_server, page, results_dir, day, acme_candidate  # noqa: F811
):
    base, problems = live_server.url, page.problems
    sign_in(page, base, "interviewer@acme.test")
    expect(page).to_have_url(f"{base}/acme/")
    rows = page.get_by_test_id("home-interview")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Tech screen")
    expect(rows.nth(1)).to_contain_text("Portfolio review")
    expect(page.get_by_test_id("home-upcoming")).not_to_contain_text("Owner's own chat")
    owed = page.get_by_test_id("attention-answer_owed")
    expect(owed).to_have_count(1)
    expect(owed).to_contain_text(f"Answer the invitation to Portfolio review with {LONG_NAME}")
    expect(page.get_by_test_id("home-attention")).to_have_count(0)
    expect(page.get_by_test_id("decline-alert")).to_have_count(0)
    shoot(page, results_dir, "home-interviewer")
    problems.collect_csp()

    rows.first.get_by_role("link", name="Wile E. Coyote").click()
    expect(page).to_have_url(f"{base}/acme/candidates/{acme_candidate.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wile E. Coyote")
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_the_interview_list_filters_with_and_without_javascript(
    transactional_db, live_server, page, results_dir, day  # noqa: F811
):
    base, problems = live_server.url, page.problems
    sign_in(page, base, "teammate@acme.test")
    expect(page).to_have_url(f"{base}/acme/")
    page.get_by_role("link", name="Interviews", exact=True).click()
    expect(page).to_have_url(f"{base}/acme/interviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Interviews")
    rows = page.get_by_test_id("interview-row")
    expect(rows).to_have_count(2)  # mine, upcoming: not the owner's own chat, not the past call
    expect(rows.first).to_contain_text("Tech screen")
    expect(rows.first).to_contain_text("Ivan Interviewer Declined")
    shoot(page, results_dir, "interviews")

    # A job narrows the results in place (htmx) and the address follows.
    page.get_by_label("Job").select_option(label="Product Designer")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Portfolio review")
    expect(page).to_have_url(re.compile(rf"[?&]job={day['design'].pk}"))
    page.get_by_label("Job").select_option(label="All jobs")
    expect(rows).to_have_count(2)

    # Typing searches candidate names and titles.
    page.get_by_label("Search interviews").fill("coyote")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Tech screen")
    expect(page).to_have_url(re.compile(r"[?&]q=coyote"))
    page.get_by_label("Search interviews").fill("")
    expect(rows).to_have_count(2)

    # Everyone's, then the tabs.
    page.get_by_role("link", name="Everyone").click()
    expect(page).to_have_url(re.compile(r"\?who=everyone$"))
    expect(rows).to_have_count(3)
    page.get_by_label("Interviewer").select_option(label="Ivan Interviewer")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"interviewer=\d+"))
    page.get_by_role("link", name="Past").click()
    expect(page).to_have_url(re.compile(r"when=past"))
    expect(page.get_by_test_id("no-match")).to_be_visible()  # the interviewer filter is kept: nothing past
    page.get_by_role("link", name="Clear the filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("First call")
    page.get_by_role("link", name="Awaiting booking").click()
    awaiting = page.get_by_test_id("awaiting-row")
    expect(awaiting).to_have_count(1)
    expect(awaiting.first).to_contain_text("Design chat")
    expect(awaiting.first).to_contain_text("Opened")
    shoot(page, results_dir, "interviews-awaiting")
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)

    # Without JavaScript the same form is a plain GET: the Search button loads the filtered page.
    page.route(re.compile(r".*/htmx\.min\.js$"), lambda route: route.abort())
    page.goto(f"{base}/acme/interviews/?who=everyone")
    page.get_by_label("Search interviews").fill("portfolio")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"\?who=everyone&q=portfolio&job=&interviewer=$"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Portfolio review")
