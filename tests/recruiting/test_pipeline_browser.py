"""The pipeline board in a real browser: a recruiter drags a card to another stage (htmx swaps the board and the live
region says the move), uses a card's "Move to" form from the keyboard, and, with JavaScript off, moves with the same
form and a page reload. Screenshots at desktop and phone size; on a phone the columns scroll inside their container
and the page itself does not get wider than the screen."""

import re

import pytest
from django.db import connections
from playwright.sync_api import expect

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageProblems, browser_context, page  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.fixture
def browser():
    """A Chromium of its own for the page without JavaScript (tests/browser.py's persistent context has it on)."""
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


@pytest.fixture
def board(acme, acme_job, acme_candidate) -> str:
    """Secret Rocket Engineer: Wile E. Coyote applied; others in Screening and Interview; the board's path."""
    with across_tenants("test setup"):
        for name, stage in [("Road Runner", "interview"), ("Marvin Martian", "screening"),
                            ("Daffy Duck", "screening"), ("Bugs Bunny", "hired"),
                            ("Tasmanian" * 22, "applied")]:  # a 198-letter name without spaces wraps in its card
            Candidate.objects.create(company=acme, job=acme_job, full_name=name, stage=stage,
                                     email=f"{name[:20].lower()}@example.com")
        Job.objects.create(company=acme, title="Anvil Tester")
    return f"/acme/jobs/{acme_job.pk}/pipeline/"


def sign_in(tab, base: str, email: str) -> None:
    tab.goto(f"{base}/accounts/login/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(tab).not_to_have_url(re.compile(r"/accounts/login/"))


def count(tab, stage: str):
    return tab.get_by_test_id(f"count-{stage}")


def stage_moves() -> list[str]:
    with across_tenants("test setup"):
        return list(AuditEntry.objects.filter(action="candidate.stage_changed").order_by("created_at", "id")
                    .values_list("summary", flat=True))


def test_a_recruiter_drags_a_card_to_another_stage_and_moves_one_from_the_keyboard(
    transactional_db, live_server, page, teammate, acme_candidate, board, tmp_path  # noqa: F811
):
    problems = page.problems
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, teammate.user.email)
    page.goto(live_server.url + board)
    expect(page.get_by_role("heading", level=1)).to_have_text("Secret Rocket Engineer")
    expect(count(page, "applied")).to_have_text("2 candidates")
    expect(count(page, "interview")).to_have_text("1 candidate")

    wile = page.locator(f"#candidate-{acme_candidate.pk}")
    interview = page.get_by_test_id("column-interview")
    handle = wile.get_by_role("img", name="Drag Wile E. Coyote to another stage")
    expect(handle).to_be_visible()
    handle.drag_to(interview)

    # htmx swapped the board in place (no reload): the card is in Interview, the counts follow, the move is said.
    expect(page.get_by_test_id("pipeline-status")).to_have_text("Wile E. Coyote moved from Applied to Interview.")
    expect(interview.locator(f"#candidate-{acme_candidate.pk}")).to_be_visible()
    expect(count(page, "applied")).to_have_text("1 candidate")
    expect(count(page, "interview")).to_have_text("2 candidates")
    expect(page).to_have_url(live_server.url + board)
    expect(interview.locator(f"#candidate-{acme_candidate.pk}")).to_contain_text(re.compile(r"Moved here\s+today"))
    problems.collect_csp()

    # The keyboard path with JavaScript on: the card's own form, sent by htmx; focus stays with the moved card.
    wile.get_by_label("Move Wile E. Coyote to").select_option(label="Offer")
    wile.get_by_role("button", name="Move Wile E. Coyote").press("Enter")
    expect(page.get_by_test_id("pipeline-status")).to_have_text("Wile E. Coyote moved from Interview to Offer.")
    offer = page.get_by_test_id("column-offer")
    expect(offer.get_by_role("link", name="Wile E. Coyote")).to_be_focused()
    expect(count(page, "offer")).to_have_text("1 candidate")

    # A refused move (a stage the menu never offered, as a tampered page would send) answers 400 with the board:
    # shown in place with the reason, said in the live region, nothing moved.
    page.evaluate("""id => {
        const select = document.getElementById(`move-${id}`);
        select.options[0].value = "archived";
        select.value = "archived";
    }""", acme_candidate.pk)
    wile.get_by_role("button", name="Move Wile E. Coyote").click()
    expect(page.get_by_test_id("pipeline-refusal")).to_have_text("Nothing was moved: Pick one of the listed stages.")
    expect(page.get_by_test_id("pipeline-status")).to_have_text("Nothing was moved: Pick one of the listed stages.")
    expect(wile.get_by_label("Move Wile E. Coyote to")).to_be_focused()
    expect(offer.locator(f"#candidate-{acme_candidate.pk}")).to_be_visible()
    refused = f"/pipeline/{acme_candidate.pk}/move/"
    problems.items = [item for item in problems.items if not ("400" in item and (refused in item or "console" in item))]

    # Dropping a card back onto its own column sends nothing.
    page.locator(f"#candidate-{acme_candidate.pk}").get_by_role("img").drag_to(offer)
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("pipeline-status")).to_have_text("Nothing was moved: Pick one of the listed stages.")
    assert stage_moves() == ["Terry Teammate moved Wile E. Coyote from Applied to Interview",
                             "Terry Teammate moved Wile E. Coyote from Interview to Offer"]
    with across_tenants("test setup"):
        assert Candidate.objects.get(pk=acme_candidate.pk).stage == "offer"

    page.screenshot(path=str(tmp_path / "pipeline-desktop.png"), full_page=True)
    problems.collect_csp()

    # A phone: about one column at a time, scrolled sideways inside the board; the page stays as wide as the screen.
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + board)
    widths = page.evaluate("""() => {
        const columns = document.querySelector(".pipeline-columns");
        return {page: document.documentElement.scrollWidth, screen: window.innerWidth,
                inner: columns.scrollWidth, box: columns.clientWidth};
    }""")
    assert widths["page"] <= widths["screen"], widths
    assert widths["inner"] > widths["box"], widths
    page.screenshot(path=str(tmp_path / "pipeline-phone.png"), full_page=True)
    hired = page.get_by_test_id("column-hired")
    expect(hired).not_to_be_in_viewport()
    hired.scroll_into_view_if_needed()
    expect(hired).to_be_in_viewport()
    assert page.evaluate("window.scrollX") == 0  # the board scrolled, not the page
    page.screenshot(path=str(tmp_path / "pipeline-phone-scrolled.png"), full_page=True)
    print(f"\nscreenshots: {tmp_path}")
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)


def test_without_javascript_the_move_form_moves_the_candidate(
    transactional_db, live_server, browser, teammate, acme_candidate, board, tmp_path
):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="en-US",
                                  timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems = PageProblems(tab)
    sign_in(tab, live_server.url, teammate.user.email)
    tab.goto(live_server.url + board)

    wile = tab.locator(f"#candidate-{acme_candidate.pk}")
    # Nothing to drag with, so no handles and no word of dragging.
    expect(wile.locator(".pipeline-handle")).to_be_hidden()
    expect(tab.get_by_text("or drag it by its handle")).to_be_hidden()
    wile.get_by_label("Move Wile E. Coyote to").select_option(label="Interview")
    wile.get_by_role("button", name="Move Wile E. Coyote").press("Enter")

    # A plain post, then the board again, at the moved card.
    expect(tab).to_have_url(f"{live_server.url}{board}#candidate-{acme_candidate.pk}")
    expect(tab.get_by_role("alert")).to_contain_text("Wile E. Coyote moved from Applied to Interview.")
    expect(tab.get_by_test_id("column-interview").locator(f"#candidate-{acme_candidate.pk}")).to_be_visible()
    expect(count(tab, "applied")).to_have_text("1 candidate")
    expect(count(tab, "interview")).to_have_text("2 candidates")
    assert stage_moves() == ["Terry Teammate moved Wile E. Coyote from Applied to Interview"]

    # The next step is offered first: Enter on the button moves Wile on to Offer.
    wile.get_by_role("button", name="Move Wile E. Coyote").press("Enter")
    expect(tab.get_by_role("alert")).to_contain_text("Wile E. Coyote moved from Interview to Offer.")
    expect(tab.get_by_test_id("column-offer").locator(f"#candidate-{acme_candidate.pk}")).to_be_visible()
    tab.screenshot(path=str(tmp_path / "pipeline-no-js-desktop.png"), full_page=True)

    tab.set_viewport_size(PHONE)
    tab.reload()
    tab.screenshot(path=str(tmp_path / "pipeline-no-js-phone.png"), full_page=True)
    print(f"\nscreenshots: {tmp_path}")
    context.close()
    assert problems.items == [], "the browser reported problems:\n" + "\n".join(problems.items)
