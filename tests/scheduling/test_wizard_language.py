"""The wizard's step 2 starts from each recipient's language (issue 15), and the organizer chooses the language of
the interviewers' email: kept in the draft and on the interview, and used for every later message to them."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from recruitee.tenancy.db import across_tenants
from scheduling.defaults import DEFAULT_TEMPLATES, GERMAN_TEMPLATES
from scheduling.models import ScheduleDraft

from .change_helpers import cancel_url, messages_to, page_defaults, post, reschedule_url
from .helpers import calendar_part, messages_of, reload, schedule, step1, step2_defaults
from .parsers import parse_with_icalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_candidate(acme_candidate):
    with across_tenants("test setup"):
        acme_candidate.language, acme_candidate.time_zone = "de", "Europe/Berlin"
        acme_candidate.save()
    return acme_candidate


def test_step_2_starts_the_german_candidates_email_in_german_and_the_interviewers_in_the_organizers(
        owner_client, interviewer, german_candidate):
    url = step1(owner_client, german_candidate, interviewers=[interviewer.pk])
    defaults = step2_defaults(owner_client, url)
    assert defaults["candidate_subject"] == GERMAN_TEMPLATES[("candidate", "invitation")][0]
    assert defaults["interviewers_subject"] == DEFAULT_TEMPLATES[("interviewers", "invitation")][0]
    interview = schedule(owner_client, german_candidate, step1_fields={"interviewers": [interviewer.pk]})
    sent = messages_of(interview)
    assert sent["candidate"].subject == "Vorstellungsgespräch bei Acme Inc.: Mittwoch, 12. Juni 2030 um 14:00 Uhr"
    assert sent["interviewers"].subject.startswith("Interview with Wile E. Coyote (Secret Rocket Engineer): Wednesday")


def test_the_reschedule_page_starts_the_german_candidates_update_in_german(owner_client, german_candidate):
    interview = schedule(owner_client, german_candidate)
    page = owner_client.get(f"/acme/interviews/{interview.pk}/reschedule/")
    assert page.status_code == 200
    assert GERMAN_TEMPLATES[("candidate", "update")][0] in page.content.decode().replace("&#x27;", "'")


@pytest.fixture
def german_owner(owner):
    owner.user.language = "de"
    owner.user.save()
    return owner


def draft_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["draft"][0]


def test_it_defaults_the_interviewers_language_to_the_organizers(owner_client, german_owner, interviewer,
                                                                 acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    response = owner_client.get(url)
    form = response.context["form"]
    assert form["interviewers_language"].value() == "de"
    assert form["interviewers_subject"].value() == GERMAN_TEMPLATES[("interviewers", "invitation")][0]
    html = response.content.decode()
    assert "Sprache dieser E-Mail" in html and '<option value="en">English</option>' in html
    assert 'data-testid="preview-interviewers-language"' in html


def test_an_english_organizer_starts_in_english(owner_client, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    defaults = step2_defaults(owner_client, url)
    assert defaults["interviewers_language"] == "en"
    assert defaults["interviewers_subject"] == DEFAULT_TEMPLATES[("interviewers", "invitation")][0]


def test_english_for_a_german_organizer_writes_english_to_the_interviewers_and_german_to_the_german_candidate(
        owner_client, german_owner, interviewer, german_candidate):
    # Posted as a browser without JavaScript would: the German text still there, English chosen, then Send.
    interview = schedule(owner_client, german_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_language="en")
    assert reload(interview).interviewers_language == "en"
    sent = messages_of(interview)
    assert sent["interviewers"].subject.startswith(
        "Interview with Wile E. Coyote (Secret Rocket Engineer): Wednesday, 12 June 2030")
    assert "Vorstellungsgespräch" not in sent["interviewers"].text_body
    ics = calendar_part(sent["interviewers"])
    assert b"SUMMARY;LANGUAGE=en:" in ics
    assert parse_with_icalendar(ics)["summary"] == "Interview: Secret Rocket Engineer"
    assert sent["candidate"].subject == "Vorstellungsgespräch bei Acme Inc.: Mittwoch, 12. Juni 2030 um 14:00 Uhr"
    german = calendar_part(sent["candidate"])
    assert b"SUMMARY;LANGUAGE=de:" in german
    assert parse_with_icalendar(german)["summary"] == "Vorstellungsgespräch: Secret Rocket Engineer"


def test_change_without_javascript_refills_the_unedited_text_in_the_chosen_language(
        owner_client, german_owner, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    data = {**step2_defaults(owner_client, url), "interviewers_language": "en", "action": "language",
            "draft": draft_of(url)}
    response = owner_client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    english = DEFAULT_TEMPLATES[("interviewers", "invitation")]
    assert form["interviewers_language"].value() == "en"
    assert form["interviewers_subject"].value() == english[0]
    preview = response.context["previews"]["interviewers"]
    assert preview["language"] == "en" and preview["rendered"].subject.startswith(
        "Interview with Wile E. Coyote (Secret Rocket Engineer): Wednesday, 12 June 2030")
    assert response.context["open_interviewers"]
    # The draft keeps the choice and the text: a reload shows English.
    with across_tenants("test setup"):
        draft = ScheduleDraft.objects.get(key=draft_of(url))
    assert draft.step2["interviewers_language"] == ["en"] and draft.step2["interviewers_subject"] == [english[0]]
    again = owner_client.get(url).context["form"]
    assert again["interviewers_language"].value() == "en" and again["interviewers_subject"].value() == english[0]


def test_a_get_with_the_language_shows_step_2_in_it(owner_client, german_owner, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    form = owner_client.get(f"{url}&interviewers_language=en").context["form"]
    assert form["interviewers_language"].value() == "en"
    assert form["interviewers_subject"].value() == DEFAULT_TEMPLATES[("interviewers", "invitation")][0]
    unknown = owner_client.get(f"{url}&interviewers_language=xx").context["form"]
    assert unknown["interviewers_language"].value() == "de"


def test_edits_survive_a_language_change(owner_client, german_owner, interviewer, acme_candidate):
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    edited = {"interviewers_subject": "Bitte vorbereiten: {candidate_name}",
              "interviewers_body": "Unser eigener Text am {event_date}."}
    data = {**step2_defaults(owner_client, url), **edited, "interviewers_language": "en", "action": "language",
            "draft": draft_of(url)}
    form = owner_client.post(url, data).context["form"]
    assert form["interviewers_language"].value() == "en"
    assert form["interviewers_subject"].value() == edited["interviewers_subject"]
    assert form["interviewers_body"].value() == edited["interviewers_body"]
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_language="en", **edited)
    sent = messages_of(interview)
    # The recruiter's words as written; the values in the chosen language.
    assert sent["interviewers"].subject == "Bitte vorbereiten: Wile E. Coyote"
    assert "Unser eigener Text am Wednesday, 12 June 2030." in sent["interviewers"].text_body


def test_a_reschedule_writes_to_the_interviewers_in_the_stored_language(owner_client, german_owner, interviewer,
                                                                        german_candidate):
    interview = schedule(owner_client, german_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_language="en")
    data = page_defaults(owner_client, reschedule_url(interview))
    assert data["interviewers_subject"] == DEFAULT_TEMPLATES[("interviewers", "update")][0]
    assert data["candidate_subject"] == GERMAN_TEMPLATES[("candidate", "update")][0]
    data.update({"date": "2030-06-13", "start_time": "09:30"})
    post(owner_client, reschedule_url(interview), data)
    update = messages_to(interview, interviewer.user.email)[-1]
    assert "Thursday, 13 June 2030" in update.text_body and "Donnerstag" not in update.text_body
    assert b"SUMMARY;LANGUAGE=en:" in calendar_part(update)
    to_candidate = messages_to(interview, german_candidate.email)[-1]
    assert "Donnerstag, 13. Juni 2030" in to_candidate.text_body


def test_an_older_interview_without_a_choice_writes_in_the_organizers_language(
        owner_client, german_owner, interviewer, acme_candidate):
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    with across_tenants("test setup"):
        type(interview).objects.filter(pk=interview.pk).update(interviewers_language="")
    data = page_defaults(owner_client, reschedule_url(interview))
    assert data["interviewers_subject"] == GERMAN_TEMPLATES[("interviewers", "update")][0]


def test_step_1_gives_the_date_input_an_iso_value_in_german(owner_client, german_owner, acme_candidate):
    """A date input takes only 2030-06-12: German's 12.06.2030 left the field empty (the browser refuses it)."""
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/schedule/").content.decode()
    [date_input] = re.findall(r'<input type="date"[^>]*>', page)
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', date_input), date_input


def test_the_scheduling_link_request_gives_its_date_inputs_iso_values_in_german(owner_client, german_owner,
                                                                              acme_candidate):
    page = owner_client.get(f"/acme/candidates/{acme_candidate.pk}/self-schedule/").content.decode()
    date_inputs = re.findall(r'<input type="date"[^>]*>', page)
    assert len(date_inputs) == 2
    for date_input in date_inputs:
        assert re.search(r'value="\d{4}-\d{2}-\d{2}"', date_input), date_input


def test_a_cancellation_writes_to_the_interviewers_in_the_stored_language(owner_client, german_owner, interviewer,
                                                                          german_candidate):
    interview = schedule(owner_client, german_candidate, step1_fields={"interviewers": [interviewer.pk]},
                         interviewers_language="en")
    data = page_defaults(owner_client, cancel_url(interview))
    assert data["interviewers_subject"] == DEFAULT_TEMPLATES[("interviewers", "cancellation")][0]
    assert data["candidate_subject"] == GERMAN_TEMPLATES[("candidate", "cancellation")][0]
    data.update({"reason": "Scheduling conflict"})
    post(owner_client, cancel_url(interview), data)
    cancellation = messages_to(interview, interviewer.user.email)[-1]
    assert "Wednesday, 12 June 2030" in cancellation.text_body and "Mittwoch" not in cancellation.text_body
    assert b"SUMMARY;LANGUAGE=en:" in calendar_part(cancellation)
    assert "Mittwoch, 12. Juni 2030" in messages_to(interview, german_candidate.email)[-1].text_body
