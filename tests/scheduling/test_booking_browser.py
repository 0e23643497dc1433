"""The candidate's booking page in a real browser: the zone comes from the browser, strict CSP holds, phones fit."""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)

from .booking_fixtures import (
    at,
    booking_day,
    busy,
    interviewer,
    no_booking_limits,  # noqa: F401  (a fixture, used through pytestmark)
    send_link,
)
from .helpers import messages_of
from .test_booking_pages import only_interview

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_booking_limits")]


# transactional_db first: the database must outlive the (session-wide) live server.
def test_it_shows_the_times_in_the_browsers_zone_and_books_one(
    transactional_db, live_server, page, results_dir, owner, acme_candidate  # noqa: F811
):
    day = booking_day()
    dana = interviewer(owner.company, "Dana Dev")
    busy(dana, day, "09:00", "15:00", "Dentist appointment")
    link = send_link(owner, acme_candidate, panel=[dana], day=day)
    problems = page.problems

    # The candidate record says America/Phoenix; the browser is in Europe/Berlin (tests/browser.py) and wins.
    page.goto(f"{live_server.url}{link.url}")
    expect(page).to_have_url(re.compile(r"\?tz=Europe%2FBerlin$"))
    expect(page.get_by_text("Times are shown in Europe/Berlin")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Backend interview")
    local = at(day, "15:00").astimezone(ZoneInfo("Europe/Berlin"))
    slot = page.get_by_role("link", name=f"{local:%A} {local.day} {local:%B}, {local:%H:%M}–")
    expect(slot).to_be_visible()
    page.screenshot(path=str(results_dir / "booking-slots-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(results_dir / "booking-slots-phone.png"), full_page=True)
    problems.collect_csp()

    slot.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{local:%H:%M}")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_role("link", name="Add to calendar (.ics)")).to_be_visible()
    page.screenshot(path=str(results_dir / "booking-booked-phone.png"), full_page=True)
    problems.collect_csp()

    interview = only_interview()
    assert interview.start == at(day, "15:00")
    assert set(messages_of(interview)) == {"candidate", "interviewers"}
    assert problems.all() == []


def test_a_german_candidate_reads_german_and_can_switch_to_english(
    transactional_db, live_server, page, results_dir, owner, acme_candidate  # noqa: F811
):
    day = booking_day()
    dana = interviewer(owner.company, "Dana Dev")
    with across_tenants("test setup"):
        Candidate.objects.filter(pk=acme_candidate.pk).update(language="de")
    link = send_link(owner, acme_candidate, panel=[dana], day=day)
    problems = page.problems

    # The browser says en-US (tests/browser.py); the candidate's German wins, and the zone script keeps it.
    page.goto(f"{live_server.url}{link.url}")
    expect(page).to_have_url(re.compile(r"\?tz=Europe%2FBerlin$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=2)).to_have_text("Termin wählen")
    switch = page.get_by_role("navigation", name="Sprache")
    expect(switch.get_by_text("Deutsch")).to_have_attribute("aria-current", "true")
    page.screenshot(path=str(results_dir / "booking-slots-german.png"), full_page=True)

    switch.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(link.url)}\?tz=Europe%2FBerlin&lang=en$"))
    expect(page.get_by_role("heading", level=2)).to_have_text("Pick a time")
    # The zone picker keeps the choice too.
    page.get_by_label("Show times in").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"\?lang=en&tz=Asia%2FTokyo$"))
    expect(page.get_by_text("Times are shown in Asia/Tokyo")).to_be_visible()
    problems.collect_csp()
    assert problems.all() == []
