"""Connecting Google and Outlook calendars through the sandbox providers' consent screens."""

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection as db
from django.test import Client

from calendars.models import Calendar, CalendarConnection, Event
from calendars.providers.base import ReconnectNeeded
from calendars.tokens import connection_access_token
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from tests.sandbox_fixtures import consent, query_of

pytestmark = pytest.mark.django_db

GOOGLE_ACCOUNT = "dana.schmidt@sandbox-google.test"
OUTLOOK_ACCOUNT = "sam.oconnor@sandbox-outlook.test"


def start(client: Client, provider: str) -> str:
    response = client.get(f"/acme/calendars/connect/{provider}/")
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def back_to_app(client: Client, callback_url: str, capture=None):
    parts = urlsplit(callback_url)
    path = f"{parts.path}?{parts.query}"
    if capture is None:
        return client.get(path, follow=True)
    with capture(execute=True):
        return client.get(path, follow=True)


def connect(client: Client, provider: str, account: str, capture=None):
    return back_to_app(client, consent(start(client, provider), account), capture)


def connections():
    with across_tenants("test setup"):
        return list(CalendarConnection.objects.select_related("member__user").order_by("pk"))


def test_it_connects_a_google_calendar_and_lists_its_calendars(providers, owner_client, owner):
    auth_url = start(owner_client, "google")
    query = query_of(auth_url)
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["access_type"] == "offline" and query["state"]
    assert query["redirect_uri"] == "http://127.0.0.1:8000/oauth/calendar/google/"

    page = back_to_app(owner_client, consent(auth_url, GOOGLE_ACCOUNT))
    assert page.redirect_chain[-1][0] == "/acme/calendars/"
    text = page.content.decode()
    assert f"Google Calendar · {GOOGLE_ACCOUNT} is connected" in text
    [connection] = connections()
    assert connection.member == owner and connection.account_email == GOOGLE_ACCOUNT
    assert connection.refresh_token and connection.access_token
    with across_tenants("test setup"):
        calendars = list(Calendar.objects.filter(connection=connection))
    assert len(calendars) >= 2
    assert [c.is_selected for c in calendars if c.is_primary] == [True]
    assert not any(c.is_selected for c in calendars if not c.is_primary)
    for calendar in calendars:
        assert calendar.name in text


def test_it_connects_an_outlook_calendar_through_msal(providers, owner_client):
    auth_url = start(owner_client, "microsoft")
    assert auth_url.startswith(providers.microsoft_http_url)  # the browser-facing page needs no certificate
    assert query_of(auth_url)["code_challenge_method"] == "S256"
    page = back_to_app(owner_client, consent(auth_url, OUTLOOK_ACCOUNT))
    assert f"Outlook Calendar · {OUTLOOK_ACCOUNT} is connected" in page.content.decode()
    [connection] = connections()
    assert connection.provider == "microsoft" and connection.account_email == OUTLOOK_ACCOUNT
    with across_tenants("test setup"):
        assert Calendar.objects.filter(connection=connection, is_primary=True, is_selected=True).count() == 1


@pytest.mark.parametrize("provider", ["google", "microsoft"])
def test_it_stores_nothing_when_consent_is_denied(providers, owner_client, provider):
    page = back_to_app(owner_client, consent(start(owner_client, provider), deny=True))
    assert "did not grant access" in page.content.decode()
    assert connections() == []


def test_it_refuses_a_tampered_missing_or_reused_state(providers, owner_client):
    callback = consent(start(owner_client, "google"), GOOGLE_ACCOUNT)
    tampered = callback.replace("state=", "state=x")
    assert "expired or was already used" in back_to_app(owner_client, tampered).content.decode()
    no_state = "&".join(p for p in urlsplit(callback).query.split("&") if not p.startswith("state="))
    page = owner_client.get("/oauth/calendar/google/?" + no_state, follow=True)
    assert "expired or was already used" in page.content.decode()
    assert connections() == []

    back_to_app(owner_client, callback)  # the real one works once…
    assert len(connections()) == 1
    again = back_to_app(owner_client, callback)  # …and only once
    assert "expired or was already used" in again.content.decode()
    assert len(connections()) == 1


def test_it_refuses_a_state_from_another_session(providers, owner_client, owner):
    callback = consent(start(owner_client, "google"), GOOGLE_ACCOUNT)
    other_browser = Client()
    other_browser.force_login(owner.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    assert "expired or was already used" in back_to_app(other_browser, callback).content.decode()
    assert connections() == []


def test_it_refuses_a_code_sent_to_the_other_providers_callback(providers, owner_client):
    callback = consent(start(owner_client, "google"), GOOGLE_ACCOUNT)
    wrong = callback.replace("/oauth/calendar/google/", "/oauth/calendar/microsoft/")
    assert "different provider" in back_to_app(owner_client, wrong).content.decode()
    assert connections() == []


def test_it_refuses_a_reused_code_at_the_provider(providers, owner_client):
    """A code replayed with a fresh state (e.g. an intercepted redirect) fails at the provider: nothing is stored."""
    callback = consent(start(owner_client, "google"), GOOGLE_ACCOUNT)
    back_to_app(owner_client, callback)
    code = query_of(callback)["code"]
    fresh_state = query_of(start(owner_client, "google"))["state"]
    page = owner_client.get(f"/oauth/calendar/google/?code={code}&state={fresh_state}", follow=True)
    assert "refused the authorization code (invalid_grant)" in page.content.decode()
    assert len(connections()) == 1


def test_it_fails_cleanly_on_a_pkce_mismatch(providers, owner_client):
    auth_url = start(owner_client, "google")
    session = owner_client.session
    pending = session["calendar_oauth_pending"]
    state = query_of(auth_url)["state"]
    pending[state]["flow"]["code_verifier"] = "x" * 64  # not the verifier the challenge was made from
    session["calendar_oauth_pending"] = pending
    session.save()
    page = back_to_app(owner_client, consent(auth_url, GOOGLE_ACCOUNT))
    assert "refused the authorization code (invalid_grant)" in page.content.decode()
    assert connections() == []


def test_it_updates_the_connection_when_the_same_account_connects_again(providers, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    first = connections()[0]
    page = connect(owner_client, "google", GOOGLE_ACCOUNT)
    assert "is reconnected" in page.content.decode()
    [again] = connections()
    assert again.pk == first.pk
    with across_tenants("test setup"):
        actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "calendar.connected" in actions and "calendar.reconnected" in actions


def _expire_locally(connection: CalendarConnection) -> None:
    with across_tenants("test setup"):
        CalendarConnection.objects.filter(pk=connection.pk).update(
            token_expires_at=datetime.now(UTC) - timedelta(minutes=1)
        )


def test_it_refreshes_google_tokens_and_keeps_the_refresh_token(providers, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    old_access, old_refresh = connection.access_token, connection.refresh_token
    _expire_locally(connection)
    with across_tenants("test setup"):
        new_access = connection_access_token(connection_id=connection.pk)
    fresh = connections()[0]
    assert new_access != old_access and fresh.access_token == new_access
    assert fresh.refresh_token == old_refresh  # Google does not rotate refresh tokens
    assert fresh.token_expires_at > datetime.now(UTC)


def test_it_stores_microsofts_rotated_refresh_token_every_time(providers, owner_client):
    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    connection = connections()[0]
    refresh_tokens = [connection.refresh_token]
    for _ in range(2):
        _expire_locally(connection)
        with across_tenants("test setup"):
            connection_access_token(connection_id=connection.pk)
        refresh_tokens.append(connections()[0].refresh_token)
    assert len(set(refresh_tokens)) == 3  # a new refresh token on every use, each one stored
    assert connections()[0].status == CalendarConnection.Status.ACTIVE


@pytest.mark.parametrize(("provider", "account"), [("google", GOOGLE_ACCOUNT), ("microsoft", OUTLOOK_ACCOUNT)])
def test_it_marks_a_revoked_grant_for_reconnection_and_tells_the_owner_once(
    providers, owner_client, provider, account, django_capture_on_commit_callbacks
):
    connect(owner_client, provider, account)
    connection = connections()[0]
    providers.state.revoke_tokens(provider, account)
    mail.outbox.clear()
    for _ in range(2):
        _expire_locally(connection)
        with across_tenants("test setup"), django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(ReconnectNeeded):
                connection_access_token(connection_id=connection.pk)
    fresh = connections()[0]
    assert fresh.status == CalendarConnection.Status.RECONNECT_NEEDED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@acme.test"]
    assert "Reconnect" in mail.outbox[0].subject
    page = owner_client.get("/acme/candidates/").content.decode()
    assert 'data-testid="reconnect-banner"' in page and f"/acme/calendars/connect/{provider}/" in page
    token_calls = [r for r in providers.state.request_log() if r["path"].endswith("/token")]
    assert len([r for r in token_calls if r["status"] == 400]) >= 1


def test_it_revokes_at_google_and_deletes_everything_on_disconnect(providers, owner_client, owner):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    with across_tenants("test setup"):
        calendar = Calendar.objects.filter(connection=connection).first()
        Event.objects.create(company=owner.company, calendar=calendar, provider_event_id="x", title="t",
                             start=datetime.now(UTC), end=datetime.now(UTC))
    confirm = owner_client.get(f"/acme/calendars/{connection.pk}/disconnect/")
    assert b"Disconnect Google Calendar" in confirm.content
    owner_client.post(f"/acme/calendars/{connection.pk}/disconnect/")
    assert connections() == []
    with across_tenants("test setup"):
        assert not Calendar.objects.exists() and not Event.objects.exists()
    assert [r for r in providers.state.request_log() if r["path"] == "/revoke" and r["status"] == 200]


def test_it_deletes_the_tokens_even_when_revoking_fails(providers, owner_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connection = connections()[0]
    providers.state.inject_fault(path=r"^/revoke$", status=503, count=None)
    owner_client.post(f"/acme/calendars/{connection.pk}/disconnect/")
    assert connections() == []


def test_it_never_logs_tokens(providers, owner_client, caplog):
    with caplog.at_level(logging.DEBUG):
        connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
        connection = connections()[0]
        _expire_locally(connection)
        with across_tenants("test setup"):
            connection_access_token(connection_id=connection.pk)
    fresh = connections()[0]
    for secret in (fresh.access_token, fresh.refresh_token, connection.access_token, connection.refresh_token):
        assert secret and secret not in caplog.text


def test_it_shows_admins_every_connection_of_the_company(providers, owner_client, teammate_client):
    connect(owner_client, "google", GOOGLE_ACCOUNT)
    connect(teammate_client, "microsoft", OUTLOOK_ACCOUNT)
    page = owner_client.get("/acme/settings/calendars/").content.decode()
    assert GOOGLE_ACCOUNT in page and OUTLOOK_ACCOUNT in page and "Terry Teammate" in page
    assert teammate_client.get("/acme/settings/calendars/").status_code == 403
    # An admin can disconnect a teammate's calendar; the teammate cannot touch the admin's.
    teammates = [c for c in connections() if c.account_email == OUTLOOK_ACCOUNT][0]
    owners = [c for c in connections() if c.account_email == GOOGLE_ACCOUNT][0]
    assert teammate_client.post(f"/acme/calendars/{owners.pk}/disconnect/").status_code == 404
    assert owner_client.post(f"/acme/calendars/{teammates.pk}/disconnect/", {"from": "admin"}).status_code == 302
    assert [c.account_email for c in connections()] == [GOOGLE_ACCOUNT]


def test_it_keeps_only_ciphertext_in_the_database(providers, owner_client):
    connect(owner_client, "microsoft", OUTLOOK_ACCOUNT)
    connection = connections()[0]
    with across_tenants("test setup"), db.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM calendars_calendarconnection")
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in stored)
    assert connection.access_token not in stored[0] and connection.refresh_token not in stored[1]
