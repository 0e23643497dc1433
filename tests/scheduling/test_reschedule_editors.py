"""Reschedule and cancel have step 2's editors: each audience's email, prefilled from the company's template,
edited for this event only, with a preview that follows the text and the new time."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from recruitee.tenancy.db import across_tenants
from scheduling import services
from scheduling.emails import Wording
from scheduling.invite_templates import invite_template_save
from scheduling.models import InviteTemplate
from scheduling.plan import Plan
from tests import sandbox_fixtures as sandbox_testing
from tests.browser import browser_context, page, results_dir  # noqa: F401  (fixtures)
from tests.calendars import conftest as calendar_fixtures
from tests.calendars.test_connect import OUTLOOK_ACCOUNT, connect
from tests.conftest import PASSWORD, client_for

from .change_helpers import cancel_url, messages_to, ours, page_defaults, post, reschedule_url
from .helpers import all_messages_of, calendar_part, reload, schedule
from .parsers import parse_with_icalendar

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

sandbox, sandbox_server = sandbox_testing.sandbox, sandbox_testing.sandbox_server
providers = calendar_fixtures.providers


@pytest.fixture
def custom_update(acme, owner):
    """The company's own update wording for candidates."""
    with across_tenants("test setup"):
        return invite_template_save(company=acme, audience="candidate", purpose="update", actor=owner.user,
                                    subject="Moved: {event_title}",
                                    body="Dear {candidate_name}, new time {event_time}.")


def test_it_prefills_each_audiences_update_email_from_the_templates(owner_client, interviewer, acme_candidate,
                                                                    custom_update):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    response = owner_client.get(reschedule_url(interview))
    assert response.status_code == 200
    sections = {s["audience"]: s for s in response.context["sections"]}
    assert sections["candidate"]["subject_field"].value() == "Moved: {event_title}"
    assert sections["candidate"]["body_field"].value() == "Dear {candidate_name}, new time {event_time}."
    assert sections["interviewers"]["subject_field"].value().startswith("Rescheduled: {event_type} with")
    html = response.content.decode()
    assert 'data-testid="preview-candidate"' in html and 'data-testid="preview-interviewers"' in html
    assert "Update to Wile E. Coyote" in html and "Update to the interviewers" in html
    # Nothing moved yet: the preview says the update is not sent for a page that only changes the title.
    assert "so this update is not sent" in html


def test_it_sends_the_edited_update_exactly_and_leaves_the_templates_alone(owner_client, interviewer,
                                                                           acme_candidate, custom_update):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    data = page_defaults(owner_client, reschedule_url(interview))
    data.update({
        "date": "2030-06-13", "start_time": "09:30",
        "candidate_subject": "Sorry, {candidate_first_name}: new time",
        "candidate_body": "We moved it to {event_date} at {event_time}.\n\nSee you then, {{literally}}.",
        "interviewers_subject": "Heads-up: {candidate_name} moved",
        "interviewers_body": "Now {event_time}, was {previous_event_time}.",
    })
    post(owner_client, reschedule_url(interview), data)

    updates = all_messages_of(interview)[2:]
    candidate = next(m for m in updates if m.audience == "candidate")
    team = next(m for m in updates if m.audience == "interviewers")
    # Each reads their own zone: the candidate Phoenix time, the interviewer UTC.
    assert candidate.subject == "Sorry, Wile: new time"
    assert candidate.text_body == ("We moved it to Thursday, 13 June 2030 at 00:30.\n\n"
                                   "See you then, {literally}.\n")
    assert team.subject == "Heads-up: Wile E. Coyote moved" and team.text_body == "Now 07:30, was 12:00.\n"
    assert ours(candidate).method == "REQUEST" and ours(candidate).sequence == 1
    with across_tenants("test setup"):
        templates = {(t.audience, t.purpose): (t.subject, t.body) for t in InviteTemplate.objects.all()}
    assert templates == {("candidate", "update"): ("Moved: {event_title}",
                                                   "Dear {candidate_name}, new time {event_time}.")}


def test_it_previews_the_text_with_the_new_time_as_it_is_typed(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    data = page_defaults(owner_client, reschedule_url(interview))
    data.update({"date": "2030-06-20", "start_time": "16:00", "audience": "candidate",
                 "candidate_subject": "Now {event_date}", "candidate_body": "From {previous_event_time} to "
                                                                              "{event_time}, {event_type_lower}."})
    response = owner_client.post(f"{reschedule_url(interview)}preview/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="notify-candidate"' in html and 'id="preview-box-candidate"' in html
    # Phoenix: 14:00 Berlin was 05:00 there; 16:00 Berlin is 07:00.
    assert "Now Thursday, 20 June 2030" in html and "From 05:00 to 07:00, interview." in html
    assert "so this update is not sent" not in html
    assert len(all_messages_of(interview)) == 1  # a preview sends nothing, saves nothing
    assert reload(interview).start.astimezone(BERLIN).day == 12

    # The page itself previews without JavaScript ("Update preview"), and an unknown placeholder is explained.
    data.update({"action": "preview", "candidate_body": "Hi {candidate.user.password}"})
    response = post(owner_client, reschedule_url(interview), data, status=200)
    html = response.content.decode()
    assert "Fix the placeholders above to see the preview." in html
    assert response.context["form"]["date"].value() == "2030-06-20"  # what was typed stays
    assert len(all_messages_of(interview)) == 1


def test_it_refuses_an_unknown_placeholder_and_sends_nothing(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    data = page_defaults(owner_client, reschedule_url(interview))
    data.update({"date": "2030-06-13", "candidate_body": "Hi {candidate.user.password}"})
    response = post(owner_client, reschedule_url(interview), data, status=200)
    assert "Unknown placeholder: {candidate.user.password}" in response.context["emails_form"].errors[
        "candidate_body"][0]
    assert reload(interview).sequence == 0 and len(all_messages_of(interview)) == 1


def test_it_uses_the_company_wording_when_the_page_sends_no_editor(owner_client, acme_candidate, custom_update):
    interview = schedule(owner_client, acme_candidate)
    data = {k: v for k, v in page_defaults(owner_client, reschedule_url(interview)).items()
            if not k.startswith(("emails_", "candidate_", "interviewers_"))}
    post(owner_client, reschedule_url(interview), {**data, "date": "2030-06-13"})
    [update] = all_messages_of(interview)[1:]
    assert update.subject == "Moved: Interview: Secret Rocket Engineer"


def test_it_tells_calendar_invited_people_that_the_calendar_sends_the_update(providers, owner_client,
                                                                            acme_candidate, capture):
    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    interview = schedule(owner_client, acme_candidate, capture=capture, candidate_calendar="on",
                         candidate_email=None)
    html = owner_client.get(reschedule_url(interview)).content.decode()
    assert "Outlook Calendar sends them the update; no email from us." in html
    # No editor, but the text is kept in the page for when email is ticked again.
    section = html.split('data-testid="notify-candidate"')[1].split("</form>")[0]
    assert "<textarea" not in section and 'type="hidden" name="candidate_body"' in section
    cancel_page = owner_client.get(cancel_url(interview)).content.decode()
    assert "Outlook Calendar sends them the cancellation; no email from us." in cancel_page
    assert "<textarea" not in cancel_page.split('data-testid="notify-candidate"')[1].split("</form>")[0]


def test_it_names_the_time_a_removed_interviewer_was_invited_to(owner_client, interviewer, teammate,
                                                                acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    data = page_defaults(owner_client, reschedule_url(interview))
    data.update({"date": "2030-06-14", "start_time": "11:00", "interviewers": [teammate.pk]})
    post(owner_client, reschedule_url(interview), data)

    [cancellation] = messages_to(interview, interviewer.user.email)[1:]
    assert cancellation.subject == "Cancelled: Interview with Wile E. Coyote on Wednesday, 12 June 2030"
    # 14:00 in Berlin, in the interviewer's own zone (UTC).
    assert "on Wednesday, 12 June 2030 at 12:00 (UTC" in cancellation.text_body
    assert "Friday" not in cancellation.text_body and "09:00" not in cancellation.text_body
    ics = parse_with_icalendar(calendar_part(cancellation))
    assert ics["method"] == "CANCEL" and ics["sequence"] == 1
    assert ics["start"] == datetime(2030, 6, 12, 14, 0, tzinfo=BERLIN)
    # The newcomer is invited to the new time.
    [invitation] = messages_to(interview, teammate.user.email)
    assert "Friday, 14 June 2030" in invitation.subject


def test_the_service_sends_a_given_wording_for_one_audience_only(owner, acme_candidate, owner_client):
    interview = schedule(owner_client, acme_candidate)
    with across_tenants("test setup"):
        plan = Plan.of(reload(interview))
        plan.start, plan.end = plan.start.replace(hour=8), plan.end.replace(hour=9)
        services.interview_reschedule(interview=interview, plan=plan, actor=owner.user,
                                      candidate_wording=Wording("Custom {event_time}", "Body {event_title}"))
    [update] = all_messages_of(interview)[1:]
    assert update.subject == "Custom 01:00" and update.text_body == "Body Interview: Secret Rocket Engineer\n"


# --- cancel ------------------------------------------------------------------------------------------------------


def test_it_prefills_and_sends_the_edited_cancellation(owner_client, interviewer, acme_candidate, acme, owner):
    with across_tenants("test setup"):
        invite_template_save(company=acme, audience="interviewers", purpose="cancellation", actor=owner.user,
                             subject="Off: {candidate_name}", body="Called off ({cancellation_reason}).")
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    response = owner_client.get(cancel_url(interview))
    sections = {s["audience"]: s for s in response.context["sections"]}
    assert sections["candidate"]["subject_field"].value() == "Cancelled: {event_type} with {company_name} on " \
                                                              "{event_date}"
    assert sections["interviewers"]["body_field"].value() == "Called off ({cancellation_reason})."

    data = page_defaults(owner_client, cancel_url(interview))
    data.update({"reason": "Scheduling conflict", "candidate_subject": "So sorry, {candidate_first_name}",
                 "candidate_body": "We must cancel.\n\n{cancellation_note}", "note_to_candidate": "Talk soon!"})
    post(owner_client, cancel_url(interview), data)

    candidate, team = all_messages_of(interview)[2:]
    assert (candidate.subject, candidate.text_body) == ("So sorry, Wile", "We must cancel.\n\nTalk soon!\n")
    assert (team.subject, team.text_body) == ("Off: Wile E. Coyote", "Called off (Scheduling conflict).\n")
    assert ours(candidate).method == "CANCEL"
    with across_tenants("test setup"):
        assert InviteTemplate.objects.get(audience="interviewers").body == "Called off ({cancellation_reason})."
        assert not InviteTemplate.objects.filter(audience="candidate").exists()


def test_it_previews_the_cancellation_with_the_note_as_typed(owner_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    data = page_defaults(owner_client, cancel_url(interview))
    data.update({"audience": "candidate", "note_to_candidate": "We will call you <today>."})
    response = owner_client.post(f"{cancel_url(interview)}preview/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "unfortunately we have to cancel your interview on Wednesday, 12 June 2030 at 05:00" in html
    assert "We will call you &lt;today&gt;." in html
    assert not reload(interview).is_cancelled


# --- in the browser ----------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_editors_preview_as_you_type_in_the_browser(transactional_db, live_server, page, owner,  # noqa: F811
                                                        interviewer, acme_candidate):
    interview = schedule(client_for(owner), acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    base, problems = live_server.url, page.problems
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(owner.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/acme/"))

    page.goto(f"{base}{reschedule_url(interview)}")
    page.locator("#id_start_time").fill("09:30")
    page.locator("#id_candidate_subject").fill("Moved to {event_time}, {candidate_first_name}")
    preview = page.get_by_test_id("preview-candidate")
    expect(preview).to_contain_text("Moved to 00:30, Wile")  # 09:30 in Berlin is 00:30 in Phoenix
    # Unticking email redraws the part without an editor; ticking it again brings the text back.
    page.locator("#id_candidate_email").uncheck()
    expect(page.get_by_test_id("notify-candidate")).to_contain_text("Choose email, calendar or both.")
    page.locator("#id_candidate_email").check()
    expect(page.locator("#id_candidate_subject")).to_have_value("Moved to {event_time}, {candidate_first_name}")
    page.get_by_role("button", name="Save and notify").click()
    expect(page.get_by_role("alert")).to_contain_text("Rescheduled")
    assert messages_to(interview, acme_candidate.email)[-1].subject == "Moved to 00:30, Wile"

    page.get_by_role("link", name="Cancel event").click()
    page.locator("#id_reason").select_option(label="Other (write it below)")
    page.get_by_label("Reason in your words").fill("The role was paused")
    page.get_by_label("Note to the candidate").fill("We will write to you next week.")
    expect(page.get_by_test_id("preview-candidate")).to_contain_text("We will write to you next week.")
    expect(page.get_by_test_id("preview-interviewers")).to_contain_text("Reason: The role was paused")
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.get_by_role("alert")).to_contain_text("is cancelled")
    expect(page.get_by_test_id("cancellation")).to_contain_text("Reason: The role was paused")
    assert "We will write to you next week." in messages_to(interview, acme_candidate.email)[-1].text_body
    problems.collect_csp()
    assert problems.all() == [], "the browser reported problems:\n" + "\n".join(problems.items)
