"""Company invite templates: admins edit the wording per audience and purpose; the wizard starts from it."""

import pytest

from recruitee.tenancy.db import across_tenants
from scheduling.models import InviteTemplate

from .helpers import messages_of, schedule, step1, step2_defaults

pytestmark = pytest.mark.django_db

URL = "/acme/settings/templates/"


def test_it_lets_only_admins_edit_templates(owner_client, teammate_client):
    assert teammate_client.get(URL).status_code == 403
    page = owner_client.get(URL).content.decode()
    assert "Candidate: invitation" in page and "Interviewers: cancellation" in page
    assert "{candidate_name}" in page and "Preview with sample values" in page and "Alex" in page


def test_it_saves_a_template_the_wizard_then_starts_from(owner_client, interviewer, acme_candidate):
    response = owner_client.post(f"{URL}?audience=candidate&purpose=invitation", {
        "subject": "Hello {candidate_first_name}", "body": "See you on {event_date}.", "action": "save"})
    assert response.status_code == 302
    url = step1(owner_client, acme_candidate, interviewers=[interviewer.pk])
    defaults = step2_defaults(owner_client, url)
    assert defaults["candidate_subject"] == "Hello {candidate_first_name}"
    assert defaults["interviewers_subject"].startswith("{event_type} with {candidate_name}")  # untouched
    interview = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    assert messages_of(interview)["candidate"].subject == "Hello Wile"


@pytest.mark.parametrize("text", ["{candidate.user.password}", "{% debug %}", "{{ candidate.user }} {nope}"])
def test_it_refuses_unknown_placeholders_in_templates(owner_client, text):
    response = owner_client.post(f"{URL}?audience=interviewers&purpose=update",
                                 {"subject": "Update", "body": text, "action": "save"})
    assert response.status_code == 200
    assert "Unknown placeholder" in response.context["form"].errors["body"][0]
    with across_tenants("test setup"):
        assert not InviteTemplate.objects.exists()


def test_it_resets_to_the_default(owner_client):
    owner_client.post(f"{URL}?audience=candidate&purpose=cancellation",
                      {"subject": "Off", "body": "Off.", "action": "save"})
    owner_client.post(f"{URL}?audience=candidate&purpose=cancellation", {"action": "reset"})
    with across_tenants("test setup"):
        assert not InviteTemplate.objects.exists()


def test_it_records_template_edits_and_resets_in_the_audit_log(owner_client):
    url = f"{URL}?audience=interviewers&purpose=update"
    owner_client.post(url, {"subject": "Moved", "body": "Moved to {event_date}.", "action": "save"})
    owner_client.post(url, {"subject": "Moved again", "body": "Now {event_date}.", "action": "save"})
    owner_client.post(url, {"action": "reset"})
    owner_client.post(url, {"action": "reset"})  # nothing left to reset: nothing to record
    log = owner_client.get("/acme/settings/audit/").content.decode()
    assert "customized the interviewers update template" in log
    assert "edited the interviewers update template" in log
    assert log.count("reset the interviewers update template (English) to the default wording") == 1
    with across_tenants("test setup"):
        from recruitee.tenancy.models import AuditEntry

        assert list(AuditEntry.objects.filter(action__startswith="template.").values_list("action", flat=True)
                    .order_by("pk")) == ["template.saved", "template.saved", "template.reset"]
