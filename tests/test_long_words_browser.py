"""Long words wrap instead of widening the page: a candidate and a job whose names are one unbroken word as long as
the forms allow (200 letters; the subject of an email 300), on the pages that show them, at phone and desktop size.
A page wider than the screen scrolls sideways as a whole, which is what nobody must have to do."""

import re

import pytest
from playwright.sync_api import expect

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)
from tests.conftest import PASSWORD
from tests.mailbox.factories import send_to_candidate

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
WORD = "Supercalifragilistic"  # 20 letters; repeated, it never offers a place to break
CANDIDATE_NAME = WORD * 10  # 200: the longest name the candidate form takes
JOB_TITLE = "Chief" + WORD * 9 + "Officer" + "x" * 8  # 200, the longest job title
SUBJECT = "Re" + WORD * 14 + "x" * 18  # 300, the longest subject
# 64 + 1 + 63 + 1 + 63 + 1 + 57 = 250 characters, within the 254 an address may have.
EMAIL = "w" * 64 + "@" + "e" * 63 + "." + "x" * 63 + "." + "d" * 52 + ".test"


@pytest.fixture
def long_words(acme, owner):
    with across_tenants("test setup"):
        job = Job.objects.create(company=acme, title=JOB_TITLE, department=WORD * 6, location=WORD * 10)
        candidate = Candidate.objects.create(
            company=acme, job=job, full_name=CANDIDATE_NAME, email=EMAIL, notes=f"Portfolio: {WORD * 15}",
            created_by=owner.user,
        )
    message = send_to_candidate(owner, candidate, subject=SUBJECT, text=f"Hi,\n\n{WORD * 15}\n")
    return {
        "candidate list": "/acme/candidates/",
        "candidate page": f"/acme/candidates/{candidate.pk}/",
        "job page": f"/acme/jobs/{job.pk}/",
        "Sent tab": "/acme/mailbox/sent/",
        "message page": f"/acme/mailbox/messages/{message.pk}/",
    }


def overflow(browser_page) -> dict:
    return browser_page.evaluate("""() => {
        const root = document.documentElement;
        const wide = [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
        return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide};
    }""")


def test_long_words_wrap_instead_of_widening_the_page(
    transactional_db, live_server, page, owner, long_words, results_dir  # noqa: F811
):
    problems = page.problems
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(owner.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    too_wide = []
    for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for name, path in long_words.items():
            page.goto(live_server.url + path)
            expect(page.locator("main")).to_contain_text(WORD * 3)  # the long word is on the page
            measured = overflow(page)
            if measured["scrollWidth"] > measured["clientWidth"]:
                too_wide.append(f"{name} at {size_name} size: {measured}")
            page.screenshot(path=str(results_dir / f"{name.replace(' ', '-')}-{size_name}.png"), full_page=True)
            problems.collect_csp()

    assert too_wide == [], "pages wider than the screen:\n" + "\n".join(too_wide)
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
