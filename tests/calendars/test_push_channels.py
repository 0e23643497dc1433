"""Push channels follow the selected calendars and outlive their providers' expiry, for both providers alike."""

from datetime import UTC, datetime, timedelta

import pytest

from calendars.models import Calendar, PushChannel
from calendars.push import push_channels_reconcile
from recruitee.tenancy.db import across_tenants
from tests.calendars.test_connect import GOOGLE_ACCOUNT, OUTLOOK_ACCOUNT, connect, connections

pytestmark = pytest.mark.django_db(transaction=True)


def channels(connection) -> list[PushChannel]:
    with across_tenants("test setup"):
        return list(PushChannel.objects.filter(connection=connection).select_related("calendar").order_by("pk"))


def provider_channel_ids(sandbox) -> set[str]:
    state = sandbox.state
    with state.lock:
        return set(state.channels) | set(state.subscriptions)


@pytest.mark.parametrize(("provider", "account"), [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)])
def test_it_keeps_a_channel_alive_past_its_expiry(pushing, owner_client, provider, account):  # noqa: F811
    connect(owner_client, provider, account)  # outside a transaction: the channel is opened at once
    connection = connections()[0]
    [before] = channels(connection)
    soon = datetime.now(UTC) + timedelta(hours=1)
    with across_tenants("test setup"):
        PushChannel.objects.filter(pk=before.pk).update(expires_at=soon)
        push_channels_reconcile(connection=connection)

    [after] = channels(connection)
    assert after.expires_at > datetime.now(UTC) + timedelta(days=2)
    assert provider_channel_ids(pushing) == {after.channel_id}
    if provider == "google":
        # Google channels cannot be extended: a new one watches the calendar, the old one is stopped.
        assert after.channel_id != before.channel_id and after.secret != before.secret
        assert after.calendar_id == before.calendar_id
    else:
        # Graph extends the subscription in place.
        assert (after.channel_id, after.secret) == (before.channel_id, before.secret)
        renewals = [r for r in pushing.state.request_log("microsoft")
                    if r["method"] == "PATCH" and r["path"].endswith(f"/subscriptions/{before.channel_id}")]
        assert [r["status"] for r in renewals] == [200]


def test_it_watches_each_selected_google_calendar(pushing, owner_client):  # noqa: F811
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    with across_tenants("test setup"):
        others = list(Calendar.objects.filter(connection=connection, is_primary=False).order_by("pk")[:2])

    owner_client.post(f"/acme/calendars/{connection.pk}/selection/", {"calendars": [c.pk for c in others]})

    watched = channels(connection)
    assert sorted(c.calendar_id for c in watched) == [c.pk for c in others]
    assert provider_channel_ids(pushing) == {c.channel_id for c in watched}


def test_it_keeps_one_graph_subscription_whatever_is_selected(pushing, owner_client):  # noqa: F811
    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    connection = connections()[0]
    [subscription] = channels(connection)
    with across_tenants("test setup"):
        every = list(Calendar.objects.filter(connection=connection).values_list("pk", flat=True))

    owner_client.post(f"/acme/calendars/{connection.pk}/selection/", {"calendars": every})

    assert [(c.channel_id, c.calendar_id) for c in channels(connection)] == [(subscription.channel_id, None)]
