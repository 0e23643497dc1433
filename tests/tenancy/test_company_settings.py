"""The company settings page: the change is a service with an audit entry; system mail needs the outbox."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django_scopes import scopes_disabled

from recruitee import emails
from recruitee.tenancy.models import AuditEntry, Company

pytestmark = pytest.mark.django_db


def test_it_saves_the_settings_and_records_what_changed(owner_client, acme):
    response = owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": acme.time_zone})
    assert response.status_code == 302
    owner_client.post("/acme/settings/", {"name": "Acme Corp", "time_zone": acme.time_zone})  # no change
    with scopes_disabled():
        assert Company.objects.get(pk=acme.pk).name == "Acme Corp"
        [entry] = AuditEntry.objects.filter(company=acme, action="company.updated")
    assert entry.data == {"changed": ["name"]} and (entry.target_type, entry.target_id) == ("tenancy.company", acme.pk)
    assert "updated the company settings (name)" in owner_client.get("/acme/settings/audit/").content.decode()


def test_it_refuses_to_drop_system_mail_when_no_outbox_is_registered(monkeypatch):
    monkeypatch.setattr(emails, "_outbox", None)
    with pytest.raises(ImproperlyConfigured, match="No outbox is registered"):
        emails.queue_system_email(to=["someone@example.com"],
                                  email=emails.RenderedEmail(subject="Reset", text="Link", html=""))
