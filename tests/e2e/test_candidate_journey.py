"""A recruiter's day one: sign in, add a candidate, find them again, open them."""

import re

import pytest
from playwright.sync_api import expect

from recruitee.recruiting.demo import DEMO_PASSWORD, seed_demo
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants

pytestmark = pytest.mark.browser


# transactional_db first: the database must outlive the (session-wide) live server, or its teardown finds the server's
# connection still open.
def test_it_adds_a_candidate_and_finds_it_in_the_list(transactional_db, live_server, page, results_dir):
    seed_demo()
    problems = page.problems

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("recruiter@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    problems.collect_csp()
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).to_have_url(f"{live_server.url}/acme/")  # the home page
    problems.collect_csp()
    page.get_by_role("link", name="Candidates", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    problems.collect_csp()

    page.get_by_role("link", name="Add candidate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add candidate")
    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_label("Email", exact=True).fill("grace.hopper@example.com")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("Job").select_option(label="Product Designer")
    problems.collect_csp()
    page.get_by_role("button", name="Add candidate").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/acme/candidates/\d+/$"))
    expect(page.get_by_role("alert")).to_contain_text("Grace Hopper was added.")
    problems.collect_csp()

    # The list, searched the way people do: typing narrows the results in place (htmx), the address follows.
    page.get_by_role("link", name="Candidates", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidates")
    page.get_by_label("Search candidates").fill("hopper")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("grace.hopper@example.com")
    expect(rows.first).to_contain_text("Product Designer")
    expect(page).to_have_url(re.compile(r"[?&]q=hopper"))
    problems.collect_csp()

    rows.first.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("grace.hopper@example.com")
    expect(facts).to_contain_text("Asia/Tokyo")
    expect(facts).to_contain_text("Product Designer")
    page.screenshot(path=str(results_dir / "candidate.png"), full_page=True)

    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
    with across_tenants("test setup"):
        candidate = Candidate.objects.get(email="grace.hopper@example.com")
        assert (candidate.company.slug, candidate.time_zone, candidate.job.title, candidate.created_by.email) == (
            "acme", "Asia/Tokyo", "Product Designer", "recruiter@acme.test"
        )
