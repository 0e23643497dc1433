"""Google OAuth against the sandbox with google-auth-oauthlib, google-auth and plain requests."""

import base64
import hashlib
import json

import google.auth.transport.requests
import pytest
import requests
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from calendars.sandbox.model import GOOGLE
from tests.sandbox_fixtures import consent, query_of

from .conftest import DANA, GOOGLE_REDIRECT, google_flow


def _token(sandbox, **data):
    client_id, secret = sandbox.client(GOOGLE)
    return requests.post(sandbox.google_url + "/token", data={"client_id": client_id, "client_secret": secret, **data},
                         timeout=10)


def _authorize(sandbox, verifier="v" * 50, **extra):
    client_id, _ = sandbox.client(GOOGLE)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {"client_id": client_id, "redirect_uri": GOOGLE_REDIRECT, "response_type": "code",
              "scope": "openid https://www.googleapis.com/auth/calendar", "state": "s-1", "access_type": "offline",
              "code_challenge": challenge, "code_challenge_method": "S256", **extra}
    return requests.Request("GET", sandbox.google_url + "/o/oauth2/v2/auth", params=params).prepare().url


def test_it_completes_the_flow_with_google_auth_oauthlib(sandbox, insecure_transport):
    flow = google_flow(sandbox)
    url, state = flow.authorization_url(prompt="consent")
    redirect_to = consent(url, DANA)
    assert query_of(redirect_to)["state"] == state
    token = flow.fetch_token(authorization_response=redirect_to)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3599
    assert token["refresh_token"].startswith("1//")
    claims = json.loads(base64.urlsafe_b64decode(token["id_token"].split(".")[1] + "=="))
    assert claims["email"] == DANA
    assert claims["aud"] == sandbox.client(GOOGLE)[0]
    info = requests.get(sandbox.google_url + "/oauth2/v3/userinfo",
                        headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10).json()
    assert info["email"] == DANA and info["email_verified"] is True


def test_it_lists_every_google_account_on_the_consent_page_escaped(sandbox):
    page = requests.get(_authorize(sandbox), timeout=10)
    assert page.status_code == 200
    for email in ("dana.schmidt@sandbox-google.test", "li.wei@sandbox-google.test", "recruiter@acme.test"):
        assert email in page.text
    assert "Deny" in page.text
    assert "sam.oconnor" not in page.text  # a Microsoft account


def test_it_redirects_with_access_denied_when_the_person_denies(sandbox):
    redirect_to = consent(_authorize(sandbox), deny=True)
    assert redirect_to.startswith(GOOGLE_REDIRECT)
    assert query_of(redirect_to) == {"error": "access_denied", "state": "s-1"}


def test_it_rejects_a_pkce_mismatch_and_a_reused_code(sandbox):
    code = query_of(consent(_authorize(sandbox), DANA))["code"]
    wrong = _token(sandbox, grant_type="authorization_code", code=code, redirect_uri=GOOGLE_REDIRECT,
                   code_verifier="w" * 50)
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}

    code = query_of(consent(_authorize(sandbox), DANA))["code"]
    ok = _token(sandbox, grant_type="authorization_code", code=code, redirect_uri=GOOGLE_REDIRECT,
                code_verifier="v" * 50)
    assert ok.status_code == 200, ok.text
    again = _token(sandbox, grant_type="authorization_code", code=code, redirect_uri=GOOGLE_REDIRECT,
                   code_verifier="v" * 50)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_it_rejects_a_different_redirect_uri_at_the_token_endpoint(sandbox):
    code = query_of(consent(_authorize(sandbox), DANA))["code"]
    answer = _token(sandbox, grant_type="authorization_code", code=code, redirect_uri="http://127.0.0.1:9/other",
                    code_verifier="v" * 50)
    assert answer.status_code == 400
    assert answer.json()["error"] == "redirect_uri_mismatch"


def test_it_fails_the_flow_library_on_a_reused_code(sandbox, insecure_transport):
    flow = google_flow(sandbox)
    url, _ = flow.authorization_url(prompt="consent")
    redirect_to = consent(url, DANA)
    flow.fetch_token(authorization_response=redirect_to)
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(authorization_response=redirect_to)


def test_it_shows_an_error_page_for_an_unregistered_redirect_uri(sandbox):
    sandbox.state.settings.allow_loopback_redirects = False
    page = requests.get(_authorize(sandbox), timeout=10, allow_redirects=False)
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text
    sandbox.state.add_redirect_uri(GOOGLE, GOOGLE_REDIRECT)
    assert requests.get(_authorize(sandbox), timeout=10).status_code == 200


def test_it_requires_pkce(sandbox):
    url = _authorize(sandbox, code_challenge="", code_challenge_method="")
    answer = requests.get(url, timeout=10, allow_redirects=False)
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_request"


def test_it_rejects_bad_client_credentials_like_google(sandbox):
    client_id, _ = sandbox.client(GOOGLE)
    answer = requests.post(sandbox.google_url + "/token", auth=(client_id, "wrong"),
                           data={"grant_type": "refresh_token", "refresh_token": "x"}, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    answer = _token(sandbox, grant_type="password")
    assert answer.status_code == 400 and answer.json()["error"] == "unsupported_grant_type"


def test_it_refreshes_with_google_auth_credentials_without_rotating(sandbox, google_login):
    creds = google_login()
    client_id, secret = sandbox.client(GOOGLE)
    fresh = Credentials(token=None, refresh_token=creds.refresh_token, token_uri=sandbox.google_url + "/token",
                        client_id=client_id, client_secret=secret)
    fresh.refresh(google.auth.transport.requests.Request())
    assert fresh.token and fresh.token != creds.token
    assert fresh.refresh_token == creds.refresh_token  # Google does not rotate refresh tokens
    fresh.refresh(google.auth.transport.requests.Request())  # and the same one keeps working
    assert fresh.valid


def test_it_gives_a_refresh_token_only_on_first_consent_unless_prompted(sandbox, insecure_transport):
    flow = google_flow(sandbox)
    url, _ = flow.authorization_url()
    assert "refresh_token" in flow.fetch_token(authorization_response=consent(url, DANA))
    flow = google_flow(sandbox)
    url, _ = flow.authorization_url()
    assert "refresh_token" not in flow.fetch_token(authorization_response=consent(url, DANA))
    flow = google_flow(sandbox)
    url, _ = flow.authorization_url(prompt="consent")
    assert "refresh_token" in flow.fetch_token(authorization_response=consent(url, DANA))


def test_it_revokes_the_grant(sandbox, google_login):
    creds = google_login()
    answer = requests.post(sandbox.google_url + "/revoke", data={"token": creds.refresh_token}, timeout=10)
    assert answer.status_code == 200
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(google.auth.transport.requests.Request())
    info = requests.get(sandbox.google_url + "/oauth2/v3/userinfo",
                        headers={"Authorization": f"Bearer {creds.token}"}, timeout=10)
    assert info.status_code == 401
    again = requests.post(sandbox.google_url + "/revoke", params={"token": creds.refresh_token}, timeout=10)
    assert again.status_code == 400 and again.json()["error"] == "invalid_token"
