"""Google OAuth 2.0 for web server apps: consent screen, /token, /revoke, userinfo, OIDC metadata.

Google specifics kept on purpose: refresh tokens only with access_type=offline and only on the first consent
unless prompt=consent; refresh tokens never rotate; error bodies are {"error", "error_description"}.
Deviation: PKCE (S256) is required here, whereas Google only recommends it for confidential clients.
"""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode

from .auth import AccessToken, AuthCode, ConsentRequest, Grant, basic_auth, jwks, new_token, pkce_ok, sign_jwt
from .model import GOOGLE, Account
from .pages import consent_page, error_page
from .web import HttpError, Request, Response, Router, json_response, redirect

CAL = "https://www.googleapis.com/auth/calendar"
SCOPES = frozenset({
    "openid", "email", "profile",
    "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/userinfo.profile",
    CAL, CAL + ".readonly", CAL + ".events", CAL + ".events.readonly", CAL + ".events.owned",
    CAL + ".events.owned.readonly", CAL + ".calendarlist.readonly", CAL + ".calendarlist",
    CAL + ".calendars.readonly", CAL + ".freebusy", CAL + ".events.freebusy", CAL + ".app.created",
    CAL + ".settings.readonly",
})


def oauth_error(error: str, description: str, status: int = 400) -> HttpError:
    return HttpError(json_response({"error": error, "error_description": description}, status))


def _redirect_with(uri: str, params: dict[str, Any]) -> Response:
    sep = "&" if "?" in uri else "?"
    return redirect(uri + sep + urlencode({k: v for k, v in params.items() if v is not None}))


def authorize(req: Request) -> Response:
    st = req.state
    client = st.client(GOOGLE, req.q("client_id"))
    if client is None:
        return error_page("Error 401: invalid_client", "The OAuth client was not found.", 401)
    redirect_uri = req.q("redirect_uri") or ""
    if not st.redirect_allowed(client, redirect_uri):
        return error_page("Error 400: redirect_uri_mismatch",
                          f"The redirect URI in the request, {redirect_uri}, does not match the ones authorized "
                          "for the OAuth client.")
    state = req.q("state")

    def fail(error: str, description: str) -> Response:
        return _redirect_with(redirect_uri, {"error": error, "error_description": description, "state": state})

    if req.q("response_type") != "code":
        return fail("unsupported_response_type", "Only response_type=code is supported.")
    scopes = tuple(dict.fromkeys((req.q("scope") or "").split()))
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        return fail("invalid_scope", f"Some requested scopes were invalid: {unknown or 'missing scope'}")
    challenge = req.q("code_challenge") or ""
    if req.q("code_challenge_method") != "S256" or not challenge:
        return fail("invalid_request", "code_challenge with code_challenge_method=S256 is required.")
    access_type = req.q("access_type") or "online"
    if access_type not in ("online", "offline"):
        return fail("invalid_request", f"Invalid access_type: {access_type}")
    prompt = req.q("prompt") or ""
    consent = ConsentRequest(
        id=secrets.token_urlsafe(16), provider=GOOGLE, client_id=client.client_id, redirect_uri=redirect_uri,
        scopes=scopes, state=state, challenge=challenge, offline=access_type == "offline", prompt=prompt,
        login_hint=req.q("login_hint"), nonce=req.q("nonce"),
    )
    with st.lock:
        if "none" in prompt.split():
            acc = _silent_account(req, consent)
            if acc is None:
                return fail("interaction_required", "The user must sign in and consent.")
            return _approve(req, consent, acc)
        st.remember_consent(consent)
        accounts = st.provider_accounts(GOOGLE)
    return consent_page(brand="Google", action=req.base_url + "/o/oauth2/v2/auth/decide", consent_id=consent.id,
                        client_id=client.client_id, scopes=scopes, accounts=accounts, hint=consent.login_hint)


def _silent_account(req: Request, consent: ConsentRequest) -> Account | None:
    """prompt=none works only for a hinted account that already granted this client something."""
    st = req.state
    hint = (consent.login_hint or "").lower()
    acc = st.accounts.get((GOOGLE, hint))
    if acc is None:
        return None
    granted = any(t.account == acc.key and t.grant.client_id == consent.client_id for t in st.access_tokens.values())
    return acc if granted else None


def decide(req: Request) -> Response:
    form = req.form()
    st = req.state
    with st.lock:
        consent = st.consents.pop(form.get("consent", ""), None)
        if consent is None or time.time() - consent.created > 3600:
            return error_page("Error 400: invalid_request", "This sign-in request has expired. Start again.")
        if form.get("deny"):
            return _redirect_with(consent.redirect_uri, {"error": "access_denied", "state": consent.state})
        acc = st.accounts.get((GOOGLE, form.get("account", "").lower()))
        if acc is None:
            return error_page("Error 400: invalid_request", "Unknown account.")
        return _approve(req, consent, acc)


def _approve(req: Request, consent: ConsentRequest, acc: Account) -> Response:
    st = req.state
    consented_before = (acc.email, consent.client_id) in st.google_consented
    offline = consent.offline and (not consented_before or "consent" in consent.prompt.split())
    code = AuthCode(
        code="4/0A" + secrets.token_urlsafe(40), provider=GOOGLE, account=acc.key, client_id=consent.client_id,
        redirect_uri=consent.redirect_uri, scopes=consent.scopes, challenge=consent.challenge, offline=offline,
        expires_at=time.time() + st.settings.code_lifetime, nonce=consent.nonce,
    )
    st.remember_code(code)
    return _redirect_with(consent.redirect_uri, {
        "state": consent.state, "code": code.code, "scope": " ".join(consent.scopes), "authuser": "0",
        "prompt": "consent",
    })


def _client_credentials(req: Request, form: dict[str, str]) -> tuple[str, str | None]:
    basic = basic_auth(req.headers.get("Authorization"))
    if basic:
        return basic
    return form.get("client_id", ""), form.get("client_secret")


def token(req: Request) -> Response:
    form = req.form()
    st = req.state
    grant_type = form.get("grant_type", "")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    client_id, secret = _client_credentials(req, form)
    client = st.client(GOOGLE, client_id)
    if client is None:
        raise oauth_error("invalid_client", "The OAuth client was not found.", 401)
    if secret != client.secret:
        raise oauth_error("invalid_client", "Unauthorized", 401)
    with st.lock:
        if grant_type == "authorization_code":
            return _redeem_code(req, form, client.client_id)
        return _refresh(req, form, client.client_id)


def _redeem_code(req: Request, form: dict[str, str], client_id: str) -> Response:
    st = req.state
    value = form.get("code")
    if not value:
        raise oauth_error("invalid_request", "Missing required parameter: code")
    code = st.codes.get(value)
    if code is None:
        raise oauth_error("invalid_grant", "Malformed auth code.")
    if code.used or code.client_id != client_id or time.time() > code.expires_at:
        raise oauth_error("invalid_grant", "Bad Request")
    if form.get("redirect_uri") != code.redirect_uri:
        raise oauth_error("redirect_uri_mismatch", "Bad Request")
    if not form.get("code_verifier"):
        raise oauth_error("invalid_grant", "Missing code verifier.")
    if not pkce_ok(form.get("code_verifier"), code.challenge):
        raise oauth_error("invalid_grant", "Invalid code verifier.")
    code.used = True
    rt = new_token("1//0g", 60) if code.offline else None
    grant = Grant(GOOGLE, code.account, client_id, code.scopes, rt)
    if rt:
        st.refresh_tokens[rt] = grant
        st.google_consented.add((code.account[1], client_id))
    return json_response(_issue(req, grant, code.scopes, code.nonce, include_refresh=True))


def _refresh(req: Request, form: dict[str, str], client_id: str) -> Response:
    st = req.state
    value = form.get("refresh_token")
    if not value:
        raise oauth_error("invalid_request", "Missing required parameter: refresh_token")
    grant = st.refresh_tokens.get(value)
    if grant is None or grant.revoked:
        raise oauth_error("invalid_grant", "Token has been expired or revoked.")
    if grant.client_id != client_id:
        raise oauth_error("unauthorized_client", "Unauthorized")
    scopes = grant.scopes
    if form.get("scope"):
        wanted = tuple(form["scope"].split())
        if not set(wanted) <= set(grant.scopes):
            raise oauth_error("invalid_scope", "Bad Request")
        scopes = wanted
    return json_response(_issue(req, grant, scopes, None, include_refresh=False))


def _issue(req: Request, grant: Grant, scopes: tuple[str, ...], nonce: str | None, *,
           include_refresh: bool) -> dict[str, Any]:
    st = req.state
    lifetime = st.settings.google_token_lifetime
    at = AccessToken("ya29.a0" + secrets.token_urlsafe(48), grant, time.time() + lifetime, scopes)
    st.access_tokens[at.token] = at
    body: dict[str, Any] = {"access_token": at.token, "expires_in": lifetime, "scope": " ".join(scopes),
                            "token_type": "Bearer"}
    if include_refresh and grant.refresh_token:
        body["refresh_token"] = grant.refresh_token
    if "openid" in scopes:
        acc = st.accounts[grant.account]
        now = int(time.time())
        claims: dict[str, Any] = {"iss": req.base_url, "azp": grant.client_id, "aud": grant.client_id,
                                  "sub": acc.uid, "email": acc.email, "email_verified": True,
                                  "at_hash": secrets.token_urlsafe(16), "name": acc.name, "iat": now,
                                  "exp": now + 3600}
        if nonce:
            claims["nonce"] = nonce
        body["id_token"] = sign_jwt(claims)
    return body


def revoke(req: Request) -> Response:
    value = req.form().get("token") or req.q("token")
    st = req.state
    with st.lock:
        grant = st.refresh_tokens.get(value or "")
        if grant is None:
            at = st.access_tokens.get(value or "")
            grant = at.grant if at is not None else None
        if grant is None or grant.revoked:
            raise oauth_error("invalid_token", "Token expired or revoked")
        grant.revoked = True  # revoking either token ends the whole grant, as Google does
        st.google_consented.discard((grant.account[1], grant.client_id))
    return json_response({})


def userinfo(req: Request) -> Response:
    st = req.state
    with st.lock:
        at = st.access_tokens.get(req.bearer() or "")
        if at is None or at.grant.provider != GOOGLE or not at.valid(time.time()):
            return json_response({"error": "invalid_request", "error_description": "Invalid Credentials"}, 401,
                                 [("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                                                       'error="invalid_token"')])
        acc = st.accounts[at.account]
    given, _, family = acc.name.partition(" ")
    return json_response({"sub": acc.uid, "name": acc.name, "given_name": given, "family_name": family,
                          "picture": "", "email": acc.email, "email_verified": True})


def openid_configuration(req: Request) -> Response:
    base = req.base_url
    return json_response({
        "issuer": base, "authorization_endpoint": base + "/o/oauth2/v2/auth", "token_endpoint": base + "/token",
        "userinfo_endpoint": base + "/oauth2/v3/userinfo", "revocation_endpoint": base + "/revoke",
        "jwks_uri": base + "/oauth2/v3/certs", "response_types_supported": ["code"],
        "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"], "code_challenge_methods_supported": ["plain", "S256"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
    })


def routes() -> Router:
    r = Router()
    for path in ("/o/oauth2/v2/auth", "/o/oauth2/auth"):
        r.add("GET", path, authorize)
    r.add("POST", "/o/oauth2/v2/auth/decide", decide)
    r.add("POST", "/token", token)
    r.add("POST", "/revoke", revoke)
    r.add("GET", "/oauth2/v3/userinfo", userinfo)
    r.add("GET", "/oauth2/v3/certs", lambda req: json_response(jwks()))
    r.add("GET", "/.well-known/openid-configuration", openid_configuration)
    return r
