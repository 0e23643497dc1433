"""The company settings page: the change is a service with an audit entry; system mail needs the outbox. The stage
scheduling an interview moves candidates to."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from recruitee import emails
from recruitee.tenancy import services
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry, Company

pytestmark = pytest.mark.django_db


def test_it_saves_the_settings_and_records_what_changed(owner_client, acme):
    response = owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": acme.time_zone})
    assert response.status_code == 302
    owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": acme.time_zone})  # no change
    with across_tenants("test setup"):
        assert Company.objects.get(pk=acme.pk).name == "Acme Corp"
        [entry] = AuditEntry.objects.filter(company=acme, action="company.updated")
    assert entry.data == {"changed": ["name"]} and (entry.target_type, entry.target_id) == ("tenancy.company", acme.pk)
    assert "updated the company settings (name)" in owner_client.get("/acme/settings/audit/").content.decode()


def test_it_refuses_to_drop_system_mail_when_no_outbox_is_registered(monkeypatch):
    monkeypatch.setattr(emails, "_outbox", None)
    with pytest.raises(ImproperlyConfigured, match="No outbox is registered"):
        emails.queue_system_email(to=["someone@example.com"],
                                  email=emails.RenderedEmail(subject="Reset", text="Link", html=""))


# --- where scheduling an interview moves the candidate ----------------------------------------------------------


def settings_post(acme, **changes) -> dict:
    return {"name": acme.name, "time_zone": acme.time_zone, "candidate_change_cutoff_hours": "24",
            "candidate_max_reschedules": "2", **changes}


def stored_setting(acme) -> str:
    return Company.objects.get(pk=acme.pk).stage_on_schedule


def test_it_offers_the_stage_on_schedule_setting_with_interview_by_default(owner_client, acme):
    page = owner_client.get("/acme/settings/").content.decode()
    # "Don't move" is an answer, so the field is neither "(optional)" nor a placeholder the browser would refuse.
    assert '<label class="form-label" for="id_stage_on_schedule">When an interview is scheduled, move the candidate ' \
           'to stage</label>' in page
    assert '<select name="stage_on_schedule" class="form-select" aria-describedby="id_stage_on_schedule_help" ' \
           'id="id_stage_on_schedule">' in page
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]+)</option>',
                         page.split('id="id_stage_on_schedule"')[1].split("</select>")[0])
    assert options == [("", "", "— don&#x27;t move —"), ("screening", "", "Screening"),
                       ("interview", " selected", "Interview")]
    assert stored_setting(acme) == "interview"


@pytest.mark.parametrize("value", ["", "screening", "interview"])
def test_it_saves_the_stage_on_schedule_setting(owner_client, acme, value):
    acme.stage_on_schedule = "screening" if value != "screening" else "interview"
    acme.save()
    response = owner_client.post("/acme/settings/", settings_post(acme, stage_on_schedule=value))
    assert response.status_code == 302
    assert stored_setting(acme) == value
    with across_tenants("test setup"):
        [entry] = AuditEntry.objects.filter(company=acme, action="company.updated")
    assert entry.data == {"changed": ["stage_on_schedule"]}
    page = owner_client.get("/acme/settings/").content.decode()
    assert re.search(rf'<option value="{value}" selected>', page)


@pytest.mark.parametrize("value", ["offer", "hired", "rejected", "Interview", "bogus", "interview\x00"])
def test_it_refuses_a_stage_that_is_not_offered(owner_client, acme, value):
    response = owner_client.post("/acme/settings/", settings_post(acme, stage_on_schedule=value))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert stored_setting(acme) == "interview"
    with across_tenants("test setup"):
        assert not AuditEntry.objects.filter(company=acme, action="company.updated").exists()


def test_a_form_without_the_field_keeps_the_setting(owner_client, acme):
    acme.stage_on_schedule = "screening"
    acme.save()
    owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": acme.time_zone})
    assert (Company.objects.get(pk=acme.pk).name, stored_setting(acme)) == ("Acme Corp", "screening")


def test_the_service_refuses_a_stage_that_is_not_offered(acme, owner):
    with pytest.raises(ValidationError) as refused:
        services.company_update(company=acme, actor=owner.user, name=acme.name, time_zone=acme.time_zone,
                                stage_on_schedule="hired")
    assert "stage_on_schedule" in refused.value.message_dict
    assert stored_setting(acme) == "interview"


def test_only_admins_change_the_setting(teammate_client, interviewer_client, acme):
    for client in (teammate_client, interviewer_client):
        assert client.post("/acme/settings/", settings_post(acme, stage_on_schedule="")).status_code == 403
    assert stored_setting(acme) == "interview"
