"""The browser tests' fixtures: headless Chromium and a page that records console errors and CSP violations."""

from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)
