"""Find time and the week view in a real browser: suggested times skip a free all-day event and the weekend, one
click fills step 1, and the week reads well on a desktop and on a phone (one day at a time, no sideways scroll)."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calendars.models import CalendarConnection
from recruitee.tenancy.db import across_tenants
from scheduling.models import Interview, Participant
from tests.browser import browser_context, page  # noqa: F401  (fixtures)
from tests.calendars.factories import connected_calendar, event
from tests.conftest import PASSWORD, make_member

pytestmark = pytest.mark.browser

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = date(2030, 6, 14)
MONDAY = FRIDAY + timedelta(days=3)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def sign_in(tab, base: str, email: str) -> None:
    tab.goto(f"{base}/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(tab).not_to_have_url(re.compile("/accounts/login/"))


def no_sideways_scroll(tab) -> bool:
    return tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# transactional_db first: the database must outlive the (session-wide) live server.
def test_suggested_times_skip_a_free_all_day_event_and_the_weekend_and_fill_the_form(
    transactional_db, live_server, page, owner, teammate, acme_candidate, tmp_path  # noqa: F811
):
    for member in (owner, teammate):
        member.user.time_zone = "Europe/Berlin"
        member.user.save()
    connected_calendar(owner)
    theirs = connected_calendar(teammate)
    event(theirs, "Offsite prep", at(FRIDAY, 9), at(FRIDAY, 17))  # Friday is taken
    event(theirs, "Working from Lisbon", at(MONDAY, 0), at(MONDAY + timedelta(days=1), 0), all_day=True,
          start_date=MONDAY, end_date=MONDAY + timedelta(days=1), is_busy=False)  # shown as free: no conflict
    base, problems = live_server.url, page.problems
    sign_in(page, base, owner.user.email)

    page.goto(f"{base}/acme/candidates/{acme_candidate.pk}/schedule/")
    page.get_by_label("Terry Teammate").check()
    page.get_by_label("Date", exact=True).fill(FRIDAY.isoformat())
    page.get_by_label("Date", exact=True).dispatch_event("change")
    days = page.get_by_test_id("find-time-day")
    expect(days).to_have_count(5)
    expect(days.first).to_have_attribute("data-day", "2030-06-14")
    expect(days.nth(1)).to_have_attribute("data-day", "2030-06-17")  # Saturday and Sunday left out
    suggestions = page.get_by_test_id("suggested-time")
    expect(suggestions).to_have_count(5)
    expect(suggestions.first).to_have_text("Mon 17 Jun, 09:00–10:00")  # the free all-day event does not block
    expect(page.get_by_test_id("find-time")).not_to_contain_text("Working from Lisbon")

    suggestions.nth(1).click()
    expect(page.locator("#id_date")).to_have_value("2030-06-17")
    expect(page.locator("#id_start_time")).to_have_value("10:00")
    monday = page.locator('[data-day="2030-06-17"]')
    expect(monday.locator(".ft-proposed")).to_have_count(2)  # redrawn around the chosen time, for both people
    expect(page.get_by_test_id("suggested-time").nth(1)).to_have_attribute("aria-pressed", "true")
    expect(days.first).to_have_attribute("data-day", "2030-06-14")  # the range stays put
    expect(page.get_by_test_id("conflicts")).to_have_count(0)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "find-time-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # the grid scrolls inside its box, not the page
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "find-time-phone.png"), full_page=True)

    # Enter in a field goes on to step 2, as the Next button does: not through a Find time button.
    page.locator("#id_title").press("Enter")
    expect(page.get_by_text("Invite candidate via:")).to_be_visible()
    assert problems.all() == []


def test_the_week_view_reads_well_on_a_desktop_and_on_a_phone(
    transactional_db, live_server, page, owner, teammate, acme_candidate, tmp_path  # noqa: F811
):
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    wednesday = FRIDAY - timedelta(days=2)
    mine = connected_calendar(owner)
    outlook = connected_calendar(owner, email="olivia@outlook.test")
    teammates = [teammate] + [make_member(owner.company, f"mate{n}@acme.test", "recruiter", f"Mate Number{n}")
                              for n in range(4)]
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=mine.connection_id).update(
            last_sync_at=timezone.now() - timedelta(seconds=25))
        interview = Interview.objects.create(company=owner.company, candidate=acme_candidate, organizer=owner,
                                             title="Interview: Wile E. Coyote", start=at(wednesday, 11),
                                             end=at(wednesday, 12), time_zone="Europe/Berlin")
        Participant.objects.create(company=owner.company, interview=interview, role="interviewer", member=teammate,
                                   name="Terry Teammate", email=teammate.user.email, time_zone="Europe/Berlin")
    event(mine, interview.title, interview.start, interview.end, ical_uid=interview.ical_uid)
    for calendar in (mine, outlook):  # one meeting, two connected calendars
        event(calendar, "Design review with the platform group", at(wednesday, 7), at(wednesday, 8, 30),
              ical_uid="design-review@example.com")
    for n, member in enumerate(teammates):
        calendar = connected_calendar(member)
        for offset in range(5):
            day = wednesday + timedelta(days=offset - 2)
            event(calendar, "Private", at(day, 9 + n), at(day, 10 + n))
    base, problems = live_server.url, page.problems
    sign_in(page, base, owner.user.email)

    page.set_viewport_size({"width": 1280, "height": 800})
    shown = "&".join(f"with={member.pk}" for member in teammates)
    page.goto(f"{base}/acme/calendar/?date={wednesday}&{shown}")
    blocks = page.get_by_test_id("week-event")
    review = blocks.filter(has_text="Design review")
    expect(review).to_have_count(1)  # not twice
    expect(review).to_have_attribute("title", "Design review with the platform group · 07:00–08:30")
    interviews = page.locator("a.wk-interview")
    expect(interviews).to_have_count(2)  # the owner's column and Terry's
    # The 07:00 label the page opens at is whole, not cut off by the top of the scrolled grid.
    label_top, body_top = page.evaluate("""() => {
        const label = document.querySelectorAll('.wk-hours div')[7].getBoundingClientRect();
        return [label.top, document.getElementById('wk-body').getBoundingClientRect().top];
    }""")
    assert label_top >= body_top
    # Teammates' narrow columns: the title, elided by CSS; never the start of a time ("0…").
    busy = page.locator(f'.wk-person[data-member="{teammates[-1].pk}"] .wk-block').first
    expect(busy.locator(".wk-title")).to_be_visible()
    expect(busy.locator(".wk-time")).to_be_hidden()
    expect(busy).to_have_attribute("title", re.compile(r"^Busy · \d\d:\d\d–"))
    synced = page.get_by_test_id("synced").locator("time")
    first_words = synced.inner_text()
    assert first_words.endswith("seconds ago")
    expect(synced).not_to_have_text(first_words, timeout=8_000)  # it keeps counting
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "week-desktop.png"), full_page=True)

    interviews.first.click()
    expect(page).to_have_url(f"{base}/acme/interviews/{interview.pk}/")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/acme/calendar/?date={wednesday}&with={teammate.pk}")
    expect(page.locator(".wk-day:visible")).to_have_count(1)
    expect(page.locator(".wk-day.wk-focus")).to_have_attribute("aria-label", "Wednesday 12 June")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "week-phone.png"), full_page=True)
    page.get_by_role("link", name="Next day").click()
    expect(page.locator(".wk-day:visible")).to_have_attribute("aria-label", "Thursday 13 June")
    page.goto(f"{base}/acme/calendar/?date={wednesday}&view=day&with={teammate.pk}")
    expect(page.locator(".wk-day")).to_have_count(1)
    expect(page.locator("a.wk-interview")).to_have_count(2)
    assert no_sideways_scroll(page)
    page.screenshot(path=str(tmp_path / "day-phone.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
    assert problems.all() == []
