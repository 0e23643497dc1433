"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright against pytest-django's live server.

The browser fixtures of every browser test (tests/e2e/, tests/integration/): a module wires them in with
`from tests.browser import browser_context, page, results_dir  # noqa: F401`.
"""

import os
import re
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a thread with an event loop
# unless told that this is fine. It is: the test thread only seeds data and reads rows back.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[1]  # tests/browser.py -> the repository

# Runs before any page script: records every Content-Security-Policy violation the page reports.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline code"} ` +
    `in ${event.sourceFile || location.pathname}:${event.lineNumber} (${(event.sample || "").slice(0, 60)})`
  );
});
"""


@pytest.fixture
def results_dir(request) -> Path:
    """test-results/<test name>/ in the repository, for screenshots a person looks at."""
    folder = REPO_ROOT / "test-results" / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_context(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium). "
                    "The browser tests never download a browser.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "chromium-profile"),  # fresh for every test
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            locale="en-US",
            timezone_id="Europe/Berlin",
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            context.close()
            # While Playwright's loop runs, Django keeps this thread's database connections in context-local storage,
            # where the test-database teardown (after the loop has stopped) never finds them to close.
            connections.close_all()


class PageProblems:
    """What a person would see in the browser's developer console: errors, CSP violations, failed loads."""

    def __init__(self, page):
        self.page = page
        self.items: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"uncaught exception on {page.url}: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _request_failed(self, request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the page moved on (a click before the favicon
        # arrived): nothing broken. A resource that is really missing answers 404, which _response reports.
        if request.failure != "net::ERR_ABORTED":
            self.items.append(f"failed to load {request.url}: {request.failure}")

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.items.append(f"console {message.type} on {self.page.url}: {message.text}")

    def _response(self, response) -> None:
        # Our own page loads answer 200 or 302; anything >= 400 is a broken link, stylesheet or script.
        if response.status >= 400:
            self.items.append(f"{response.status} for {response.url}")

    def collect_csp(self) -> None:
        """Read the violations the current page recorded (call before leaving a page)."""
        for violation in self.page.evaluate("window.__cspViolations || []"):
            self.items.append(f"CSP violation on {self.page.url}: {violation}")

    def all(self) -> list[str]:
        self.collect_csp()
        return self.items


@pytest.fixture
def page(browser_context):
    browser_context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.problems = PageProblems(page)
    return page
