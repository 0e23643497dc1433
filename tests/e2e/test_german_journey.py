"""A recruiter who works in German schedules an interview with a German candidate (issue 15): the whole wizard in
German, the candidate's invitation in German with German dates, the interviewers' in English as she chooses in
step 2, and the candidate's .ics read by Mozilla's ical.js."""

from datetime import date, timedelta

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from scheduling.defaults import DEFAULT_TEMPLATES
from scheduling.models import Interview
from tests.e2e.test_calendar_connect import sign_in
from tests.scheduling.helpers import calendar_part, messages_about
from tests.scheduling.parsers import icaljs_parser

pytestmark = pytest.mark.browser


def next_tuesday() -> date:
    today = date.today()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def date_words(day: date, language: str) -> str:
    with translation.override(language):
        return f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}"


def test_a_german_recruiter_invites_a_german_candidate_in_german_and_the_interviewers_in_english(
    transactional_db, live_server, settings, page, results_dir
):
    settings.SITE_URL = live_server.url
    from recruitee.recruiting.demo import seed_demo

    seed_demo()
    with across_tenants("test setup"):
        User.objects.filter(email="recruiter@acme.test").update(language="de")
        Candidate.objects.filter(email="jonas.becker@example.de").update(language="de")
    parse_icaljs = icaljs_parser()  # fails early when node or ical.js is missing
    base, problems = live_server.url, page.problems
    sign_in(page, base, "recruiter@acme.test")

    page.goto(f"{base}/acme/candidates/")
    page.get_by_role("link", name="Jonas Becker").click()
    page.get_by_role("link", name="Vorstellungsgespräch planen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termin mit Jonas Becker planen")
    day = next_tuesday()
    page.get_by_label("Datum", exact=True).fill(day.isoformat())
    page.get_by_label("Datum", exact=True).dispatch_event("change")
    page.get_by_label("Dana Schmidt").check()
    grid = page.get_by_test_id("find-time")
    # The day typed, not the grid's first: a date inside the days already shown does not move where the grid begins.
    chosen_day = grid.locator(f'[data-testid="find-time-day"][data-day="{day.isoformat()}"]')
    expect(chosen_day.get_by_test_id("find-time-row")).to_have_count(2)
    expect(grid).to_contain_text("Dana Schmidt")
    free = chosen_day.locator(".ft-slot.ft-slot-free").last
    chosen = free.get_attribute("data-time")
    free.click()
    expect(page.locator("#id_start_time")).to_have_value(chosen)
    page.screenshot(path=str(results_dir / "de-step-1-find-time.png"), full_page=True)
    problems.collect_csp()
    page.get_by_role("button", name="Weiter: Wie einladen").click()

    expect(page.get_by_text("Kandidat*in einladen per:")).to_be_visible()
    german_day, english_day = date_words(day, "de"), date_words(day, "en")
    expect(page.get_by_test_id("preview-candidate")).to_contain_text(german_day)
    page.get_by_text("E-Mail an die Interviewer*innen anpassen").click()
    language = page.get_by_label("Sprache dieser E-Mail")
    expect(language).to_have_value("de")  # the organizer's own language to start with
    expect(page.get_by_role("button", name="Ändern", exact=True)).to_be_hidden()  # for browsers without JS
    expect(page.get_by_test_id("preview-interviewers")).to_contain_text(german_day)
    subject = page.locator("#id_interviewers_subject")
    with page.expect_response(lambda r: "/schedule/invite/" in r.url and r.request.method == "POST"
                              and r.status == 200):
        language.select_option("en")
    english_subject = DEFAULT_TEMPLATES[("interviewers", "invitation")][0]
    expect(subject).to_have_value(english_subject)
    expect(page.get_by_test_id("preview-interviewers")).to_contain_text("you are interviewing Jonas Becker")
    expect(page.get_by_test_id("preview-interviewers")).to_contain_text(english_day)
    expect(page.get_by_test_id("preview-interviewers-language")).to_contain_text("English")
    expect(page.get_by_test_id("preview-candidate")).to_contain_text(german_day)  # the candidate's stays German
    # A reload keeps the choice and the English text (the draft has them).
    page.reload()
    expect(page.get_by_label("Sprache dieser E-Mail")).to_have_value("en")
    expect(page.locator("#id_interviewers_subject")).to_have_value(english_subject)
    page.screenshot(path=str(results_dir / "de-step-2-invite.png"), full_page=True)
    problems.collect_csp()
    page.get_by_role("button", name="Planen und Einladungen senden").click()

    expect(page.get_by_role("alert")).to_contain_text("ist geplant; die Einladungen sind unterwegs.")
    page.screenshot(path=str(results_dir / "de-interview-page.png"), full_page=True)
    problems.collect_csp()

    with across_tenants("test setup"):
        interview = Interview.objects.get()
        sent = {m.audience: m for m in messages_about(interview)}
    assert interview.interviewers_language == "en"
    candidate, interviewers = sent["candidate"], sent["interviewers"]
    assert candidate.subject == f"Vorstellungsgespräch bei Acme Inc.: {german_day} um {chosen} Uhr"
    assert german_day in candidate.text_body and "Guten Tag Jonas Becker" in candidate.text_body
    assert interviewers.subject == f"Interview with Jonas Becker (Senior Backend Engineer): {english_day} at {chosen}"
    assert english_day in interviewers.text_body and "Dienstag" not in interviewers.text_body
    ics = calendar_part(candidate)
    assert b"SUMMARY;LANGUAGE=de:" in ics
    read = parse_icaljs(ics, "Europe/Berlin")
    assert read["summary"] == "Vorstellungsgespräch: Senior Backend Engineer"
    assert read["description"] == candidate.text_body and read["uid"] == interview.ical_uid
    assert b"SUMMARY;LANGUAGE=en:" in calendar_part(interviewers)
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
