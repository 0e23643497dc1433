"""The scheduling journey with the keyboard alone (issue 15): Tab, Shift+Tab, Enter, Space and typing, no clicks.

The recruiter signs in, follows "Schedule interview" from the candidate's page, types the date, ticks an
interviewer, moves through the Find time grid with the arrow keys and picks a start, goes on to step 2, opens the
interviewers' email and sends. On the way: the focus is visible where it lands, step 1's Tab order follows what the
page shows, the grid is one Tab stop (a roving tabindex, static/js/scheduling.js), its start buttons say the day, the
time and who is free, and the focus survives the grid being redrawn. In the Sent tab, Retry leaves the focus in the
message's row.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calendars.models import CalendarConnection
from mailbox.models import Message
from recruitee.recruiting.demo import DEMO_PASSWORD, seed_demo
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership
from scheduling.models import Interview
from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)
from tests.calendars.factories import connected_calendar
from tests.e2e.test_calendar_connect import sign_in
from tests.mailbox.factories import failed_message
from tests.scheduling.helpers import messages_about
from tests.test_accessibility_browser import axe_violations

pytestmark = pytest.mark.browser

MAX_TABS = 120  # step 1 has some 40 stops (the grid is one); more means the focus is stuck somewhere

# What the keyboard is on: enough to recognise a control and to say where it went.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const label = e.labels && e.labels.length ? e.labels[0].textContent : "";
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name") || "", type: e.type || "",
          text: (e.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 80),
          label: label.replace(/\\s+/g, " ").trim(), aria: e.getAttribute("aria-label") || "",
          classes: e.className || "", time: e.dataset.time || "", date: e.dataset.date || "",
          value: e.getAttribute("value") || "", testid: e.dataset.testid || "",
          tabindex: e.getAttribute("tabindex"), status: (e.closest("[data-live]") || {}).id || ""};
}"""

# Whether the focused start is in sight: not under the grid's sticky column of names, not past its right edge.
SLOT_IN_SIGHT = """() => {
  const slot = document.activeElement, grid = slot.closest(".ft");
  const names = slot.closest(".ft-row").querySelector(".ft-name").getBoundingClientRect();
  const box = slot.getBoundingClientRect(), frame = grid.getBoundingClientRect();
  return {left: box.left, right: box.right, names: names.right, frame: frame.right,
          scrolled: grid.scrollLeft, wide: grid.scrollWidth > grid.clientWidth};
}"""

# Whether the focused element shows it: an outline or a ring (box-shadow) while it matches :focus-visible.
FOCUS_SHOWS = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {visible: e.matches(":focus-visible"), outline, shadow: style.boxShadow !== "none",
          style: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor} / ${style.boxShadow}`};
}"""


def next_tuesday() -> date:
    today = date.today()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def focused(tab) -> dict | None:
    return tab.evaluate(FOCUSED)


def tab_to(tab, wanted, *, back: bool = False) -> list[dict]:
    """Press Tab (Shift+Tab) until `wanted(focused)` holds; every stop on the way, the last one the wanted one."""
    stops = []
    for _ in range(MAX_TABS):
        tab.keyboard.press("Shift+Tab" if back else "Tab")
        here = focused(tab)
        stops.append(here)
        if here and wanted(here):
            return stops
    raise AssertionError(f"never reached by Tab; the last stops: {stops[-12:]}")


def assert_focus_shows(tab) -> None:
    shows = tab.evaluate(FOCUS_SHOWS)
    assert shows["visible"] and (shows["outline"] or shows["shadow"]), (focused(tab), shows)


def is_slot(stop: dict | None) -> bool:
    return bool(stop) and "ft-slot" in stop["classes"].split()


def tab_stops_in_grid(tab) -> int:
    """How many of the grid's start buttons Tab would stop at."""
    return tab.locator(".ft .ft-slot:not([tabindex='-1'])").count()


def is_next(stop: dict) -> bool:
    return stop["tag"] == "button" and stop["text"].startswith("Next: how to invite") and stop["classes"] != \
        "visually-hidden"


def test_a_recruiter_schedules_an_interview_with_the_keyboard_alone(
    transactional_db, live_server, page, results_dir  # noqa: F811
):
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        sofia = Candidate.objects.get(full_name="Sofia Martínez")

    # Sign in.
    page.goto(f"{base}/accounts/login/")
    tab_to(page, lambda stop: stop["type"] == "email")
    assert_focus_shows(page)
    page.keyboard.type("recruiter@acme.test")
    tab_to(page, lambda stop: stop["type"] == "password")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/acme/")

    # The candidate's page: "Schedule interview" is a link reached by Tab.
    page.goto(f"{base}/acme/candidates/{sofia.pk}/")
    tab_to(page, lambda stop: stop["tag"] == "a" and stop["text"] == "Schedule interview")
    assert_focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schedule event with Sofia Martínez")
    problems.collect_csp()

    # Step 1's Tab order follows the page: the date, then the interviewers, then Next.
    stops = tab_to(page, is_next)
    assert_focus_shows(page)
    order = [stop["id"] for stop in stops if stop]
    date_at = order.index("id_date")
    interviewers_at = min(i for i, stop in enumerate(s for s in stops if s) if stop["name"] == "interviewers")
    assert date_at < interviewers_at < len(order) - 1, order
    assert order.index("id_date") < order.index("id_start_time") < order.index("id_duration"), order

    # Back to the date by Shift+Tab and type it: the grid appears.
    # (A date field is four stops: month, day, year and its calendar button. Back to the field before it, then Tab
    # once: the month.)
    tab_to(page, lambda stop: stop["id"] == "id_date", back=True)
    tab_to(page, lambda stop: stop["id"] != "id_date", back=True)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_date"
    assert_focus_shows(page)
    day = next_tuesday()
    page.keyboard.type(f"{day:%m%d%Y}")  # the en-US date field: month, day, year
    expect(page.locator("#id_date")).to_have_value(day.isoformat())
    tab_to(page, lambda stop: stop["name"] == "interviewers" and stop["label"] == "Dana Schmidt")
    assert_focus_shows(page)
    page.keyboard.press("Space")
    expect(page.get_by_label("Dana Schmidt")).to_be_checked()
    grid = page.get_by_test_id("find-time")
    expect(grid.get_by_test_id("find-time-day")).to_have_count(5)
    expect(grid.get_by_test_id("find-time-day").first.get_by_test_id("find-time-row")).to_have_count(2)

    # The start buttons' names say the day, the time and who is free.
    first_day = grid.get_by_test_id("find-time-day").first
    day_label = first_day.get_attribute("aria-label")
    early = first_day.locator(".ft-slot[data-time='07:00']")  # before anyone's working hours
    expect(early).to_have_attribute("aria-label", f"Start {day_label} at 07:00 (conflict) · free: nobody · "
                                                  "busy or off: You, Dana Schmidt")

    # Into the grid by Tab: past the suggested times, one stop, on the first suggested time (a free start).
    stops = tab_to(page, is_slot)
    assert [stop["testid"] for stop in stops[:-1] if stop and stop["testid"]][-1:] == ["suggested-time"], stops
    assert_focus_shows(page)
    slot = focused(page)
    assert slot["value"] == page.get_by_test_id("suggested-time").first.get_attribute("value"), slot
    assert re.fullmatch(r"Start \w{3} \d{1,2} \w{3} at \d\d:\d\d · everyone is free", slot["aria"]), slot
    assert f" at {slot['time']} " in slot["aria"], slot
    assert tab_stops_in_grid(page) == 1

    # The arrow keys move through it as it is drawn: a day is a row, its times run left to right.
    days = [section.get_attribute("data-day") for section in grid.get_by_test_id("find-time-day").all()]
    times = [button.get_attribute("data-time") for button in first_day.locator(".ft-slot").all()]
    assert times[0] == "07:00" and len(times) == 28 and len(days) == 5
    row, column = days.index(slot["date"]), times.index(slot["time"])
    down = 1 if row < len(days) - 1 else -1  # a step away and back, whichever side has room
    right = 1 if column < len(times) - 1 else -1
    held = page.locator("#id_start_time").input_value()  # step 1's time before the keys

    def press(key: str, at: tuple[int, int]) -> None:
        page.keyboard.press(key)
        here = focused(page)
        assert (here["date"], here["time"]) == (days[at[0]], times[at[1]]), (key, here)
        assert here["tabindex"] == "0" and tab_stops_in_grid(page) == 1, (key, here)  # the stop moves along

    later, earlier = ("ArrowRight", "ArrowLeft") if right > 0 else ("ArrowLeft", "ArrowRight")
    next_day, day_back = ("ArrowDown", "ArrowUp") if down > 0 else ("ArrowUp", "ArrowDown")
    press(later, (row, column + right))
    press(next_day, (row + down, column + right))
    press(earlier, (row + down, column))
    press(day_back, (row, column))
    press("End", (row, 27))
    press("ArrowRight", (row, 27))  # the edge: it stays
    press("Home", (row, 0))
    press("PageDown", (4, 0))
    press("PageUp", (0, 0))
    press("ArrowUp", (0, 0))
    press("ArrowLeft", (0, 0))
    assert_focus_shows(page)
    assert focused(page)["aria"] == early.get_attribute("aria-label")  # its name said as Tab would have said it
    press("Control+End", (4, 27))
    press("Control+Home", (0, 0))
    for step in range(row):
        press("ArrowDown", (step + 1, 0))
    for step in range(column):
        press("ArrowRight", (row, step + 1))
    assert focused(page) == slot
    expect(page.locator("#id_start_time")).to_have_value(held)  # moving picks nothing

    # Enter takes it: the time field gets its time.
    page.keyboard.press("Enter")
    expect(page.locator("#id_start_time")).to_have_value(slot["time"])
    hours, minutes = map(int, slot["time"].split(":"))
    expect(page.locator(f".ft-proposed.ft-l-{(hours - 7) * 4 + minutes // 15}")).to_have_count(2)  # redrawn
    # The redraw replaced the button; the focus is on the same start in the new grid, not lost on the page, and the
    # new grid is again one stop that the arrows move within.
    expect(page.locator(f".ft-slot[data-date='{slot['date']}'][data-time='{slot['time']}']")).to_be_focused()
    assert tab_stops_in_grid(page) == 1
    press(later, (row, column + right))
    press(earlier, (row, column))
    # The next Tab leaves the grid.
    page.keyboard.press("Tab")
    assert focused(page)["testid"] == "later-days"
    page.screenshot(path=str(results_dir / "step-1-keyboard.png"), full_page=True)

    # On to step 2 with Next.
    tab_to(page, is_next)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Invite candidate via:")).to_be_visible()
    problems.collect_csp()

    # "Customize email to interviewers" opens with Enter; the send button is reached by Tab.
    tab_to(page, lambda stop: stop["tag"] == "summary" and stop["text"] == "Customize email to interviewers")
    assert_focus_shows(page)
    page.keyboard.press("Enter")
    expect(page.locator("details.customize")).to_have_attribute("open", "")
    expect(page.get_by_test_id("preview-interviewers")).to_be_visible()
    tab_to(page, lambda stop: stop["tag"] == "button" and stop["text"] == "Schedule and send invitations")
    assert_focus_shows(page)
    page.screenshot(path=str(results_dir / "step-2-keyboard.png"), full_page=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("is scheduled")

    with across_tenants("test setup"):
        interview = Interview.objects.get()
        assert interview.candidate_id == sofia.pk
        assert sorted(messages_about(interview).values_list("audience", flat=True)) == ["candidate", "interviewers"]
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_the_first_field_with_an_error_gets_the_focus_after_a_failed_submit(
    transactional_db, live_server, page  # noqa: F811
):
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        sofia = Candidate.objects.get(full_name="Sofia Martínez")
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("body")).to_be_focused()  # a page without errors: nothing takes the focus
    tab_to(page, lambda stop: stop["type"] == "email")
    page.keyboard.type("recruiter@acme.test")
    page.keyboard.press("Enter")  # no password
    expect(page.locator("#id_password")).to_be_focused()
    expect(page.locator("#id_password")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/acme/")

    page.goto(f"{base}/acme/candidates/{sofia.pk}/schedule/")
    assert focused(page) is None  # step 1 as it opens: no error, no focus taken
    tab_to(page, lambda stop: stop["id"] == "id_video_link")
    page.keyboard.type("not a link")
    page.keyboard.press("Shift+Tab")  # away from it: the field with the error is not the one the focus is on
    page.keyboard.press("Enter")  # submits step 1
    expect(page.locator("#id_video_link")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_video_link")).to_be_focused()
    assert page.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                         " return r.top >= 0 && r.bottom <= innerHeight; }")  # scrolled to
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_a_sync_status_is_announced_once_from_a_region_that_stays(transactional_db, live_server, page):  # noqa: F811
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        recruiter = Membership.objects.get(user__email="recruiter@acme.test", company__slug="acme")
    connection_id = connected_calendar(recruiter).connection_id  # waiting for its first sync: the status polls
    sign_in(page, base, "recruiter@acme.test")
    page.goto(f"{base}/acme/calendars/")
    status, region = page.locator(f"#sync-{connection_id}"), page.locator(f"#sync-{connection_id}-live")
    expect(status).to_contain_text("Waiting for the first sync")
    expect(region).to_have_text("")
    page.evaluate(f"""() => {{ window.__status = document.getElementById("sync-{connection_id}");
                              window.__region = document.getElementById("sync-{connection_id}-live"); }}""")
    page.wait_for_timeout(2500)  # two polls that bring the same words: nothing swapped, nothing said
    assert page.evaluate(f'() => window.__status === document.getElementById("sync-{connection_id}")')
    expect(region).to_have_text("")

    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection_id).update(last_sync_at=timezone.now(), events_count=7)
    expect(status).to_contain_text("Synced 7 events")
    expect(region).to_have_text(re.compile(r"^Synced 7 events · "))  # said once, without the "Sync now" button
    assert page.evaluate(f'() => window.__region === document.getElementById("sync-{connection_id}-live")')
    assert page.locator("[role=status][id$='-live']").count() == 1  # the answer's own region was not added
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_the_find_time_grid_is_one_tab_stop_between_the_interviewers_and_later_days(
    transactional_db, live_server, page  # noqa: F811
):
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        sofia = Candidate.objects.get(full_name="Sofia Martínez")
    sign_in(page, base, "recruiter@acme.test")
    page.goto(f"{base}/acme/candidates/{sofia.pk}/schedule/")
    page.locator("#id_date").fill(next_tuesday().isoformat())
    page.get_by_label("Dana Schmidt").check()
    grid = page.get_by_test_id("find-time")
    expect(grid.get_by_test_id("find-time-day").first.get_by_test_id("find-time-row")).to_have_count(2)
    expect(page.get_by_test_id("find-time-keys")).to_be_visible()  # how the keys work, said where they work
    assert grid.get_attribute("aria-describedby") == "ft-keys"
    suggested = page.get_by_test_id("suggested-time").count()
    assert suggested > 0 and grid.locator(".ft-slot").count() == 5 * 28

    # From the last interviewer: the suggested times (ordinary buttons, one stop each), the grid (one stop), then
    # "Later days".
    page.locator("[name=interviewers]").last.focus()
    stops = tab_to(page, lambda stop: stop["testid"] == "later-days")
    kinds = ["slot" if is_slot(stop) else stop["testid"] for stop in stops]
    assert kinds == ["suggested-time"] * suggested + ["slot", "later-days"], kinds
    entered = stops[suggested]

    # Shift+Tab comes back to the same start, and once more leaves the grid the other way.
    page.keyboard.press("Shift+Tab")
    assert focused(page) == entered
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    moved = focused(page)
    assert is_slot(moved) and moved["value"] != entered["value"]
    page.keyboard.press("Shift+Tab")
    assert focused(page)["testid"] == "suggested-time"
    page.keyboard.press("Tab")  # back in: on the start it left from
    assert focused(page) == moved
    assert axe_violations(page) == []  # the grid as the keys left it: the hint shown, one start in the Tab order

    # On a phone the grid scrolls sideways under its sticky column of names: a start the keys move to is in sight.
    page.set_viewport_size({"width": 390, "height": 844})
    for key in ["End", *["ArrowLeft"] * 27, "End", "Home", *["ArrowRight"] * 27]:
        page.keyboard.press(key)
        sight = page.evaluate(SLOT_IN_SIGHT)
        assert sight["wide"] and sight["names"] <= sight["left"] and sight["right"] <= sight["frame"], (key, sight)
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_after_retry_by_keyboard_the_focus_stays_in_the_messages_row(
    transactional_db, live_server, page  # noqa: F811
):
    seed_demo()
    base, problems = live_server.url, page.problems
    with across_tenants("test setup"):
        recruiter = Membership.objects.get(user__email="recruiter@acme.test", company__slug="acme")
        sofia = Candidate.objects.get(full_name="Sofia Martínez")
    message = failed_message(recruiter, sofia)
    status_id = f"message-{message.pk}-status"
    sign_in(page, base, "recruiter@acme.test")
    page.goto(f"{base}/acme/mailbox/sent/")
    row = page.locator("tr.mailbox-row").filter(has=page.locator(f"#{status_id}"))
    expect(row.get_by_test_id("message-status")).to_have_text("Failed")

    tab_to(page, lambda stop: stop["status"] == status_id and stop["text"] == "Retry")
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Retry")).to_have_count(0)  # the new status took the button's place
    expect(row.get_by_test_id("message-status")).not_to_have_text("Failed")
    expect(page.locator(f"#{status_id}")).to_be_focused()  # once htmx has settled the swap
    here = page.evaluate("() => document.activeElement !== document.body"
                         " && document.activeElement.closest('tr.mailbox-row')"
                         f" === document.getElementById('{status_id}').closest('tr.mailbox-row')")
    assert here, focused(page)
    assert focused(page)["status"] == status_id  # on the new status, which says what happened
    assert_focus_shows(page)
    expect(page.locator(f"#{status_id}-live")).not_to_have_text("")  # and said in its polite region
    # The status is not a Tab stop of its own: Tab goes on to the next control after it.
    assert page.locator(f"#{status_id}").get_attribute("tabindex") == "-1"
    assert axe_violations(page) == []

    # A pending status polls and is swapped again when its phase changes: the focus stays on it. (The retried message
    # went out at once here, as the tests' tasks run eagerly: the row is put back to queued, and the page asks for
    # its status as the poll does.)
    with across_tenants("test setup"):
        Message.objects.filter(pk=message.pk).update(status=Message.Status.QUEUED, last_error="")
    page.evaluate("""([url, id]) => htmx.ajax("GET", url, {target: `#${id}`, select: `#${id}`, swap: "outerHTML"})""",
                  [f"/acme/mailbox/messages/{message.pk}/status/", status_id])
    expect(row.get_by_test_id("message-status")).to_have_text("Queued")
    expect(page.locator(f"#{status_id}")).to_be_focused()
    expect(page.locator(f"#{status_id}-live")).to_have_text("Queued")
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
