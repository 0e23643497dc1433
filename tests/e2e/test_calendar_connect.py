"""A recruiter connects a Google and an Outlook calendar through the providers' consent screens."""

import re

import pytest
from playwright.sync_api import expect

from recruitee.recruiting.demo import DEMO_PASSWORD, seed_demo
from tests.calendars.conftest import PROVIDER_SETTINGS
from tests.sandbox_fixtures import sandbox, sandbox_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).to_have_url(f"{base}/acme/")  # the home page


def test_it_connects_google_and_outlook_and_an_admin_sees_both(
    transactional_db, live_server, settings, sandbox, page, results_dir  # noqa: F811
):
    env = sandbox.env()
    for name in PROVIDER_SETTINGS:
        setattr(settings, name, env[name])
    settings.SITE_URL = live_server.url  # the providers send the browser back here
    seed_demo()
    base, problems = live_server.url, page.problems

    sign_in(page, base, "recruiter@acme.test")
    page.get_by_role("link", name="Calendar", exact=True).click()
    page.get_by_role("link", name="Your calendar connections").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendars")
    problems.collect_csp()

    page.get_by_role("link", name="Connect Google").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Google (sandbox): choose an account")
    page.screenshot(path=str(results_dir / "google-consent.png"))
    page.get_by_role("button", name=re.compile("recruiter@acme.test")).click()
    expect(page.get_by_role("alert")).to_contain_text("Google Calendar · recruiter@acme.test is connected")
    problems.collect_csp()

    page.get_by_role("link", name="Connect Outlook").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("choose an account")
    page.get_by_role("button", name=re.compile("recruiter@acme.test")).click()
    expect(page.get_by_role("alert")).to_contain_text("Outlook Calendar · recruiter@acme.test is connected")

    connections = page.locator("[data-testid=connection]")
    expect(connections).to_have_count(2)
    expect(connections.nth(0)).to_contain_text("Google Calendar · recruiter@acme.test")
    expect(connections.nth(1)).to_contain_text("Outlook Calendar · recruiter@acme.test")
    for index in range(2):
        # Calendars listed with the primary one counting as busy, and the first full sync done.
        expect(connections.nth(index).locator("input[type=checkbox]:checked")).to_have_count(1)
        expect(connections.nth(index).locator("[data-testid=sync-status]")).to_contain_text(
            re.compile(r"Synced [\d,]+ events"), timeout=20_000
        )
    page.screenshot(path=str(results_dir / "connections.png"), full_page=True)
    problems.collect_csp()

    page.get_by_role("button", name="Rita Recruiter").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "admin@acme.test")
    page.goto(f"{base}/acme/settings/calendars/")
    rows = page.locator("[data-testid=admin-connection]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Rita Recruiter")
    expect(page.locator("table")).to_contain_text("Google Calendar")
    expect(page.locator("table")).to_contain_text("Outlook Calendar")
    page.screenshot(path=str(results_dir / "admin-connections.png"), full_page=True)

    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
