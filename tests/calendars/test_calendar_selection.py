"""Choosing which calendars count as busy time: stored, synced, and on the audit trail."""

import pytest

from calendars.models import Calendar
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from tests.calendars.test_connect import GOOGLE_ACCOUNT, connect, connections

pytestmark = pytest.mark.django_db


def test_it_records_which_calendars_were_turned_on_and_off(providers, owner_client, owner):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    with across_tenants("test setup"):
        primary = Calendar.objects.get(connection=connection, is_primary=True)
        other = Calendar.objects.filter(connection=connection, is_primary=False).order_by("name").first()
        entries_before = AuditEntry.objects.count()

    response = owner_client.post(f"/acme/calendars/{connection.pk}/selection/", {"calendars": [other.pk]})

    assert response.status_code == 302
    with across_tenants("test setup"):
        assert set(Calendar.objects.filter(connection=connection, is_selected=True)) == {other}
        [entry] = AuditEntry.objects.order_by("pk")[entries_before:]
    assert entry.action == "calendar.selection_changed" and entry.actor == owner.user
    assert f"turned on {other.name}" in entry.summary and f"turned off {primary.name}" in entry.summary
    assert entry.data["turned_on"] == [other.name] and entry.data["turned_off"] == [primary.name]


def test_it_records_nothing_when_the_selection_did_not_change(providers, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    with across_tenants("test setup"):
        selected = list(Calendar.objects.filter(connection=connection, is_selected=True).values_list("pk", flat=True))
        entries_before = AuditEntry.objects.count()

    owner_client.post(f"/acme/calendars/{connection.pk}/selection/", {"calendars": selected})

    with across_tenants("test setup"):
        assert AuditEntry.objects.count() == entries_before
