"""Every page passes axe-core (WCAG 2.2 A and AA rules) with no serious or critical violation, at desktop and phone
size, for each role and for anonymous visitors.

The pages come from the probe (tests/probe.py): every URL pattern of the project, its arguments filled with one
company's objects; each page that answers 200 with HTML for a role is checked in that role's browser. A view added
tomorrow is checked the day it is added. allauth's pages, which the probe leaves to allauth, are added by hand: their
templates are ours.

axe-core comes from npm (package.json) and runs in the page with the site's strict CSP left on: it is evaluated
through the DevTools protocol (`page.evaluate`), which CSP does not govern. Playwright's `add_script_tag` inserts an
inline <script> that the policy refuses, and then waits forever for it to load.
"""

import re
import time

import pytest
from django.db import connections
from django.test import Client
from django.utils import translation

from tests.browser import CHROMIUM, CHROMIUM_ARGS, REPO_ROOT
from tests.conftest import client_for
from tests.probe import (
    CompanyObjects,
    probe_settings,  # noqa: F401  (a fixture, used through pytestmark)
    project_endpoints,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("probe_settings")]

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# allauth's pages (tests/probe.py leaves allauth.urls out): the ones a visitor and a member reach from our pages.
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
MEMBER_PAGES = ["/accounts/password/change/", "/accounts/email/"]

RUN_AXE = """async ([tags, blocking]) => {
    // Not into frames: the only ones show an email's own HTML, sandboxed without scripts, where axe cannot run
    // (axe would wait for each frame's answer instead).
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags}, resultTypes: ["violations"], iframes: false});
    return result.violations.flatMap((rule) => {
        const nodes = rule.nodes.filter((node) => blocking.includes(node.impact || rule.impact));
        if (!nodes.length) return [];
        return [{id: rule.id, impact: rule.impact, help: rule.help,
                 targets: nodes.map((node) => node.target.join(" ") + (
                     rule.id === "color-contrast" ? ` (${node.any.map((c) => c.message).join("; ")})` : ""))}];
    });
}"""


def html_pages(client: Client, objects: CompanyObjects, endpoints, extra: list[str]) -> list[str]:
    """The URLs (of the probe's endpoints, plus `extra`) that answer `client` with 200 and an HTML page."""
    found = []
    for url in [objects.url_for(endpoint) for endpoint in endpoints] + extra:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html") and url not in found:
            if not response.content.lstrip()[:15].lower().startswith(b"<!doctype html"):
                continue  # an htmx fragment, checked inside the page that loads it
            if "sandbox" in response.get("Content-Security-Policy", ""):
                continue  # an email's own HTML, for the sandboxed frame of the message page: no script runs there
            found.append(url)
    translation.deactivate()  # the test client's requests leave their language active in this thread
    return found


@pytest.fixture
def pages_by_role(acme, owner, teammate, interviewer) -> dict[str, tuple[Client, list[str]]]:
    endpoints = project_endpoints()
    objects = CompanyObjects(acme, actor=owner.user)
    for endpoint in endpoints:  # every object first: a page visited later shows the same data as one visited early
        objects.values_for(endpoint)
    walk = {}
    for role, client, extra in (
        ("admin", client_for(owner), MEMBER_PAGES),
        ("recruiter", client_for(teammate), MEMBER_PAGES),
        ("interviewer", client_for(interviewer), MEMBER_PAGES),
        ("anonymous", Client(), ANONYMOUS_PAGES),
    ):
        walk[role] = (client, html_pages(client, objects, endpoints, extra))
    # The walk reaches what it should: a member's pages, the candidate's booking page, the sign-in page.
    assert len(walk["admin"][1]) > 30 and "/acme/candidates/" in walk["interviewer"][1]
    assert any(url.startswith("/book/") for url in walk["anonymous"][1]) and "/accounts/login/" in walk["anonymous"][1]
    return walk


def axe_violations(tab) -> list[dict]:
    if not tab.evaluate("typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE.read_text())
    return tab.evaluate(RUN_AXE, [TAGS, list(BLOCKING)])


def test_axe_core_runs_with_the_strict_csp_left_on(transactional_db, live_server):
    """The walk below checks pages as people get them: with the CSP that refuses inline scripts."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            response = tab.goto(f"{live_server.url}/accounts/login/")
            policy = response.headers["content-security-policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy
            assert tab.evaluate("typeof window.axe") == "undefined"
            assert axe_violations(tab) == []  # the login page, which has nothing to complain about
            assert tab.evaluate("typeof window.axe.run") == "function"
        finally:
            browser.close()
            connections.close_all()


def test_every_page_passes_axe_core_for_every_role_at_desktop_and_phone_size(
    transactional_db, live_server, pages_by_role  # noqa: F811
):
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    problems: list[str] = []
    checked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            for role, (client, urls) in pages_by_role.items():
                assert urls, f"no page answers {role} with HTML: the walk is broken"
                for size, viewport in VIEWPORTS.items():
                    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Europe/Berlin",
                                                  reduced_motion="reduce")
                    context.set_default_timeout(10_000)
                    if session := client.cookies.get("sessionid"):
                        context.add_cookies([{"name": "sessionid", "value": session.value, "url": live_server.url}])
                    tab = context.new_page()
                    for url in urls:
                        response = tab.goto(live_server.url + url)
                        assert response is not None and response.status == 200, f"{url} as {role}: {response}"
                        # htmx fragments the page loads at once (hx-trigger="load") are part of what it shows. Not
                        # "networkidle": pages that poll would make every page wait half a second or more.
                        tab.wait_for_function("!document.querySelector('.htmx-request')")
                        for violation in axe_violations(tab):
                            problems.append(
                                f"{url} [{role}, {size}] {violation['id']} ({violation['impact']}: "
                                f"{violation['help']}): {' | '.join(violation['targets'][:6])}"
                                + (f" … and {len(violation['targets']) - 6} more" if len(violation["targets"]) > 6
                                   else "")
                            )
                        checked += 1
                    context.close()
        finally:
            browser.close()
            connections.close_all()  # see tests/browser.py: Playwright's loop hides this thread's connections
    elapsed = time.monotonic() - started
    print(f"axe-core checked {checked} page views in {elapsed:.0f} s")
    rules = sorted({re.search(r"\] (\S+) ", p).group(1) for p in problems})
    assert problems == [], (
        f"{len(problems)} serious or critical violations ({', '.join(rules)}) on {checked} page views:\n"
        + "\n".join(problems)
    )
