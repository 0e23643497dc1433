"""The wizard's step 2 starts from each recipient's language (issue 15): to add with the views.py/forms.py diff."""

import pytest
from django_scopes import scopes_disabled

from scheduling.defaults import DEFAULT_TEMPLATES, GERMAN_TEMPLATES

from .helpers import messages_of, schedule, step1, step2_defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def german_candidate(acme_candidate):
    with scopes_disabled():
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
