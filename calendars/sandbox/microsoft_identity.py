"""Microsoft identity platform v2.0: OpenID metadata, authorize/consent, token endpoint, keys.

What msal 1.39 relies on: `{authority}/v2.0/.well-known/openid-configuration` with https `token_endpoint`
and an `authorization_endpoint` (ours points at the plain-http listener so a browser sees no certificate
warning); the token response's `client_info` (base64url {"uid","utid"}) and id_token claims (msal decodes
them without checking the signature; `acquire_token_by_auth_code_flow` compares the nonce).

Deviation: Entra ID keeps an old refresh token usable after a refresh; the sandbox invalidates it as soon as
it has been used, so a client that forgets to store the rotated token fails here rather than in three months.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from .auth import AccessToken, AuthCode, ConsentRequest, Grant, b64url, basic_auth, jwks, new_token, pkce_ok, sign_jwt
from .data import CONSUMER_TENANT
from .microsoft_render import aad_error
from .model import MICROSOFT, Account
from .pages import consent_page, error_page, form_post_page
from .web import Request, Response, Router, json_response, redirect

GRAPH = "https://graph.microsoft.com/"
OIDC_SCOPES = ("openid", "profile", "email", "offline_access")
GRAPH_SCOPES = ("User.Read", "User.ReadBasic.All", "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared",
                "Calendars.ReadWrite.Shared", "MailboxSettings.Read", "MailboxSettings.ReadWrite",
                "OnlineMeetings.ReadWrite")
_CANONICAL = {s.lower(): s for s in (*OIDC_SCOPES, *GRAPH_SCOPES)}
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def canonical_scopes(raw: str) -> tuple[str, ...] | None:
    """Short canonical names (Graph's prefix dropped, casing fixed); None if any scope is unknown."""
    out: list[str] = []
    for item in raw.split():
        name = item[len(GRAPH):] if item.lower().startswith(GRAPH) else item
        if name == ".default":
            out.extend(("User.Read", "Calendars.ReadWrite"))
            continue
        known = _CANONICAL.get(name.lower())
        if known is None:
            return None
        out.append(known)
    return tuple(dict.fromkeys(out))


def granted_scope_string(scopes: tuple[str, ...]) -> str:
    # Entra answers with the resource scopes plus "profile openid email", without offline_access.
    resource = [s for s in scopes if s not in OIDC_SCOPES]
    extra = ["profile", "openid", "email"] if "openid" in scopes else []
    return " ".join(resource + extra)


def tenant_accounts(req: Request, tenant: str) -> list[Account]:
    accounts = req.state.provider_accounts(MICROSOFT)
    if tenant == "organizations":
        return [a for a in accounts if a.kind == "work"]
    if tenant == "consumers":
        return [a for a in accounts if a.kind == "personal"]
    if GUID.fullmatch(tenant):
        return [a for a in accounts if a.tenant == tenant.lower()]
    return accounts


def _known_tenant(req: Request, tenant: str) -> bool:
    if tenant in ("common", "organizations", "consumers"):
        return True
    return any(a.tenant == tenant.lower() for a in req.state.provider_accounts(MICROSOFT))


def issuer(req: Request, tenant: str) -> str:
    ms = req.state.urls.get("microsoft", req.base_url)
    if tenant == "consumers":
        tenant = CONSUMER_TENANT
    elif not GUID.fullmatch(tenant):
        tenant = "{tenantid}"
    return f"{ms}/{tenant}/v2.0"


def openid_configuration(req: Request) -> Response:
    tenant = req.params["tenant"]
    if not _known_tenant(req, tenant):
        raise aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found. Check to make sure you have "
                                                      "the correct tenant ID and are signing into the correct cloud.")
    urls = req.state.urls
    ms, browser = urls.get("microsoft", req.base_url), urls.get("microsoft-http", req.base_url)
    return json_response({
        "token_endpoint": f"{ms}/{tenant}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": f"{ms}/{tenant}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer(req, tenant),
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{ms}/oidc/userinfo",
        "authorization_endpoint": f"{browser}/{tenant}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{ms}/{tenant}/oauth2/v2.0/devicecode",
        "http_logout_supported": True,
        "frontchannel_logout_supported": True,
        "end_session_endpoint": f"{browser}/{tenant}/oauth2/v2.0/logout",
        "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                             "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
                             "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "kerberos_endpoint": f"{ms}/{tenant}/kerberos",
        "tenant_region_scope": None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })


def _redirect_back(consent: ConsentRequest, params: dict[str, Any]) -> Response:
    params = {k: v for k, v in params.items() if v is not None}
    if consent.response_mode == "form_post":
        return form_post_page(consent.redirect_uri, params)
    sep = "&" if "?" in consent.redirect_uri else "?"
    return redirect(consent.redirect_uri + sep + urlencode(params))


def authorize(req: Request) -> Response:
    st = req.state
    tenant = req.params["tenant"]
    client_id = req.q("client_id") or ""
    client = st.client(MICROSOFT, client_id)
    if client is None:
        return error_page("Sign in: AADSTS700016", f"AADSTS700016: Application with identifier '{client_id}' was not "
                                                   "found in the directory.")
    redirect_uri = req.q("redirect_uri") or ""
    if not st.redirect_allowed(client, redirect_uri):
        return error_page("Sign in: AADSTS50011", f"AADSTS50011: The redirect URI '{redirect_uri}' specified in the "
                                                  f"request does not match the redirect URIs configured for the "
                                                  f"application '{client_id}'.")
    response_mode = req.q("response_mode") or "query"
    consent = ConsentRequest(
        id=secrets.token_urlsafe(16), provider=MICROSOFT, client_id=client_id, redirect_uri=redirect_uri,
        scopes=(), state=req.q("state"), challenge=req.q("code_challenge") or "", offline=False,
        prompt=req.q("prompt") or "", nonce=req.q("nonce"), tenant=tenant,
        response_mode=response_mode if response_mode in ("query", "form_post") else "query",
        login_hint=req.q("login_hint"), client_info=req.q("client_info") == "1",
    )

    def fail(error: str, code: int, message: str) -> Response:
        return _redirect_back(consent, {"error": error, "error_description": f"AADSTS{code}: {message}",
                                        "state": consent.state})

    if not _known_tenant(req, tenant):
        return error_page("Sign in: AADSTS90002", f"AADSTS90002: Tenant '{tenant}' not found.")
    if req.q("response_type") != "code":
        return fail("unsupported_response_type", 70005, "The provided value for the 'response_type' parameter is "
                                                        "not supported for this request.")
    if response_mode not in ("query", "form_post"):
        return fail("invalid_request", 900144, "Only response_mode query and form_post are supported here.")
    scopes = canonical_scopes(req.q("scope") or "")
    if not scopes:
        return fail("invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid.")
    if not consent.challenge or req.q("code_challenge_method") != "S256":
        return fail("invalid_request", 9002325, "Proof Key for Code Exchange (S256) is required.")
    consent.scopes = scopes
    consent.offline = "offline_access" in scopes
    with st.lock:
        accounts = tenant_accounts(req, tenant)
        if "none" in consent.prompt.split():
            hinted = [a for a in accounts if a.email == (consent.login_hint or "").lower()]
            if not hinted or not _has_grant(req, hinted[0], client_id):
                return fail("login_required", 50058, "A silent sign-in request was sent but no user is signed in.")
            return _approve(req, consent, hinted[0])
        st.remember_consent(consent)
    return consent_page(brand="Microsoft", action=f"{req.base_url}/{tenant}/oauth2/v2.0/decide",
                        consent_id=consent.id, client_id=client_id, scopes=scopes, accounts=accounts,
                        hint=consent.login_hint)


def _has_grant(req: Request, acc: Account, client_id: str) -> bool:
    return any(g.account == acc.key and g.client_id == client_id and not g.revoked
               for g in req.state.refresh_tokens.values())


def decide(req: Request) -> Response:
    form = req.form()
    st = req.state
    with st.lock:
        consent = st.consents.pop(form.get("consent", ""), None)
        if consent is None or time.time() - consent.created > 3600:
            return error_page("Sign in: AADSTS90014", "This sign-in request has expired. Start again from the app.")
        if form.get("deny"):
            return _redirect_back(consent, {
                "error": "access_denied", "state": consent.state,
                "error_description": "AADSTS65004: User declined to consent to access the app.",
            })
        acc = st.accounts.get((MICROSOFT, form.get("account", "").lower()))
        if acc is None or acc not in tenant_accounts(req, consent.tenant):
            return error_page("Sign in: AADSTS50020", "AADSTS50020: This account cannot sign in to this tenant.")
        return _approve(req, consent, acc)


def _approve(req: Request, consent: ConsentRequest, acc: Account) -> Response:
    st = req.state
    code = AuthCode(
        code="0.A" + secrets.token_urlsafe(90), provider=MICROSOFT, account=acc.key, client_id=consent.client_id,
        redirect_uri=consent.redirect_uri, scopes=consent.scopes, challenge=consent.challenge,
        offline=consent.offline, expires_at=time.time() + st.settings.code_lifetime, nonce=consent.nonce,
        tenant=consent.tenant,
    )
    st.remember_code(code)
    return _redirect_back(consent, {
        "code": code.code, "state": consent.state, "session_state": str(uuid.uuid4()),
        "client_info": client_info(acc) if consent.client_info else None,
    })


def client_info(acc: Account) -> str:
    return b64url(json.dumps({"uid": acc.uid, "utid": acc.tenant}, separators=(",", ":")).encode())


def token(req: Request) -> Response:
    st = req.state
    form = req.form()
    basic = basic_auth(req.headers.get("Authorization"))
    client_id, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret"))
    if not client_id:
        raise aad_error(400, "invalid_request", 900144, "The request body must contain the following parameter: "
                                                        "'client_id'.")
    client = st.client(MICROSOFT, client_id)
    if client is None:
        raise aad_error(400, "unauthorized_client", 700016, f"Application with identifier '{client_id}' was not "
                                                            "found in the directory.")
    if secret != client.secret:
        raise aad_error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being "
                                                        "sent in the request is the client secret value, not the "
                                                        "client secret ID.")
    grant_type = form.get("grant_type", "")
    with st.lock:
        if grant_type == "authorization_code":
            return _redeem_code(req, form, client_id)
        if grant_type == "refresh_token":
            return _refresh(req, form, client_id)
    raise aad_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")


def _missing(name: str) -> Exception:
    return aad_error(400, "invalid_request", 900144, f"The request body must contain the following parameter: "
                                                     f"'{name}'.")


def _redeem_code(req: Request, form: dict[str, str], client_id: str) -> Response:
    st = req.state
    if not form.get("code"):
        raise _missing("code")
    code = st.codes.get(form["code"])
    if code is None or code.client_id != client_id:
        raise aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if code.used:
        raise aad_error(400, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry "
                                                     "with a new valid code or use an existing refresh token.")
    if time.time() > code.expires_at:
        raise aad_error(400, "invalid_grant", 70008, "The provided authorization code or refresh token has expired "
                                                     "due to inactivity. Send a new interactive authorization "
                                                     "request for this user and resource.")
    if form.get("redirect_uri") != code.redirect_uri:
        raise aad_error(400, "invalid_grant", 50011, f"The redirect URI '{form.get('redirect_uri')}' specified in "
                                                     "the request does not match the redirect URI used to acquire "
                                                     "the authorization code.")
    if not pkce_ok(form.get("code_verifier"), code.challenge):
        raise aad_error(400, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied "
                                                      "in the authorization request.")
    code.used = True
    grant = Grant(MICROSOFT, code.account, client_id, code.scopes, None, tenant=code.tenant)
    return json_response(_issue(req, grant, code.scopes, code.nonce, form))


def _refresh(req: Request, form: dict[str, str], client_id: str) -> Response:
    st = req.state
    value = form.get("refresh_token")
    if not value:
        raise _missing("refresh_token")
    grant = st.refresh_tokens.get(value)
    if grant is None:
        if any(value in g.previous for g in st.refresh_tokens.values()):
            raise aad_error(400, "invalid_grant", 70000, "The provided value for the 'refresh_token' is not valid: "
                                                         "it was already used. Refresh tokens rotate on every use; "
                                                         "store the new one from each response.")
        raise aad_error(400, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
    if grant.revoked:
        raise aad_error(400, "invalid_grant", 50173, "The provided grant has expired due to it being revoked, a "
                                                     "fresh auth token is needed. The user might have changed or "
                                                     "reset their password.")
    if grant.client_id != client_id:
        raise aad_error(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
    scopes = grant.scopes
    if form.get("scope"):
        wanted = canonical_scopes(form["scope"])
        if wanted is None:
            raise aad_error(400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not "
                                                         "valid.")
        missing = [s for s in wanted if s not in grant.scopes and s not in OIDC_SCOPES]
        if missing:
            raise aad_error(400, "invalid_grant", 65001, "The user or administrator has not consented to use the "
                                                         f"application with ID '{client_id}'.")
        scopes = tuple(s for s in grant.scopes if s in wanted or s in OIDC_SCOPES)
    del st.refresh_tokens[value]
    grant.previous.add(value)
    grant.refresh_token = None
    return json_response(_issue(req, grant, scopes, None, form))


def _issue(req: Request, grant: Grant, scopes: tuple[str, ...], nonce: str | None,
           form: dict[str, str]) -> dict[str, Any]:
    st = req.state
    acc = st.accounts[grant.account]
    lifetime = st.settings.microsoft_token_lifetime
    at = AccessToken("EwB" + secrets.token_urlsafe(96), grant, time.time() + lifetime, scopes)
    st.access_tokens[at.token] = at
    body: dict[str, Any] = {"token_type": "Bearer", "scope": granted_scope_string(scopes), "expires_in": lifetime,
                            "ext_expires_in": lifetime, "access_token": at.token}
    if "offline_access" in grant.scopes:
        grant.refresh_token = "M.C5" + new_token("", 120)
        st.refresh_tokens[grant.refresh_token] = grant
        body["refresh_token"] = grant.refresh_token
    if "openid" in grant.scopes:
        body["id_token"] = sign_jwt(_id_claims(req, acc, grant, nonce))
    if form.get("client_info") == "1":
        body["client_info"] = client_info(acc)
    return body


def _id_claims(req: Request, acc: Account, grant: Grant, nonce: str | None) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "aud": grant.client_id, "iss": issuer(req, acc.tenant), "iat": now, "nbf": now, "exp": now + 3600,
        "name": acc.name, "oid": acc.uid, "preferred_username": acc.email,
        "sub": b64url(hashlib.sha256(f"{acc.uid}:{grant.client_id}".encode()).digest()[:24]),
        "tid": acc.tenant, "ver": "2.0", "uti": secrets.token_urlsafe(16), "rh": "0.sandbox",
        "aio": secrets.token_urlsafe(24),
    }
    if "email" in grant.scopes or "openid" in grant.scopes:
        claims["email"] = acc.email
    if nonce:
        claims["nonce"] = nonce
    return claims


def keys(req: Request) -> Response:
    return json_response(jwks())


def logout(req: Request) -> Response:
    target = req.q("post_logout_redirect_uri")
    if target:
        return redirect(target)
    return error_page("Signed out", "You signed out of the sandbox account.", 200)


def routes(*, browser_only: bool = False) -> Router:
    r = Router()
    tenant = r"/(?P<tenant>[A-Za-z0-9.\-]+)"
    r.add("GET", tenant + "/oauth2/v2.0/authorize", authorize)
    r.add("POST", tenant + "/oauth2/v2.0/decide", decide)
    r.add("GET", tenant + "/oauth2/v2.0/logout", logout)
    r.add("GET", tenant + "/v2.0/.well-known/openid-configuration", openid_configuration)
    if not browser_only:
        r.add("POST", tenant + "/oauth2/v2.0/token", token)
        r.add("GET", tenant + "/discovery/v2.0/keys", keys)
    return r
