"""Push notifications: the sandbox calls our webhooks when a calendar changes, and the change is synced."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from calendars.models import Event, PushChannel
from recruitee.tenancy.db import across_tenants
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("provider", "account"), [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)])
def test_it_syncs_a_change_the_provider_pushes(pushing, owner_client, provider, account):
    connect(owner_client, provider, account)  # outside a transaction: the sync and channel set-up run at once
    connection = connections()[0]
    with across_tenants("test setup"):
        channel = PushChannel.objects.get(connection=connection)
    assert channel.expires_at > datetime.now(UTC) + timedelta(days=1)
    if provider == "microsoft":
        # Graph checked our webhook with a validation token before it created the subscription.
        validations = [d for d in pushing.state.delivery_log() if d["kind"] == "graph-validation"]
        assert validations and [d["status"] for d in validations] == [200] and not validations[0]["error"]

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    created = pushing.state.add_event(provider, account, summary="Pushed to us", start=start,
                                      end=start + timedelta(hours=1))

    def synced():
        with across_tenants("test setup"):
            return Event.objects.filter(calendar__connection=connection, provider_event_id=created.id).first()

    event = wait_for(synced)
    assert event.title == "Pushed to us" and event.start == start
    with across_tenants("test setup"):
        assert PushChannel.objects.get(pk=channel.pk).notifications >= 1


@pytest.mark.django_db(transaction=True)
def test_it_closes_the_channels_on_disconnect(pushing, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    owner_client.post(f"/acme/calendars/{connection.pk}/disconnect/")
    assert [r for r in pushing.state.request_log() if r["path"].endswith("/channels/stop") and r["status"] == 204]
    with across_tenants("test setup"):
        assert not PushChannel.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_google_notification_with_a_wrong_token(owner, settings):
    with across_tenants("test setup"):
        from tests.calendars.factories import connected_calendar

        calendar = connected_calendar(owner)
        PushChannel.objects.create(company=owner.company, connection=calendar.connection, calendar=calendar,
                                   provider="google", channel_id=f"{owner.company_id}-abc", secret="right-token",
                                   expires_at=datetime.now(UTC) + timedelta(days=1))
    client = Client()

    def notify(channel_id: str, token: str) -> int:
        return client.post("/hooks/google/", headers={
            "X-Goog-Channel-ID": channel_id, "X-Goog-Channel-Token": token, "X-Goog-Resource-State": "exists",
        }).status_code

    assert notify(f"{owner.company_id}-abc", "wrong-token") == 403
    assert notify(f"{owner.company_id}-unknown", "right-token") == 403
    assert notify("not-even-a-company", "right-token") == 403
    assert notify(f"{owner.company_id}-abc", "right-token") == 200
    with across_tenants("test setup"):
        assert PushChannel.objects.get().notifications == 1
    assert client.get("/hooks/google/").status_code == 405


@pytest.mark.django_db
def test_it_answers_the_graph_validation_handshake_and_checks_client_state(owner):
    client = Client()
    response = client.post("/hooks/microsoft/?validationToken=Validation%3A+Testing+client+%3Cb%3E")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Validation: Testing client <b>"
    with across_tenants("test setup"):
        from tests.calendars.factories import connected_calendar

        calendar = connected_calendar(owner)
        PushChannel.objects.create(company=owner.company, connection=calendar.connection, provider="microsoft",
                                   channel_id="sub-1", secret=f"{owner.company_id}.state",
                                   expires_at=datetime.now(UTC) + timedelta(days=1))
    wrong = {"value": [{"subscriptionId": "sub-1", "clientState": f"{owner.company_id}.forged"}]}
    assert client.post("/hooks/microsoft/", wrong, content_type="application/json").status_code == 403
    right = {"value": [{"subscriptionId": "sub-1", "clientState": f"{owner.company_id}.state"}]}
    assert client.post("/hooks/microsoft/", right, content_type="application/json").status_code == 202
    assert client.post("/hooks/microsoft/", "not json", content_type="application/json").status_code == 400
