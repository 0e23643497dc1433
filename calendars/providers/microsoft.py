"""Outlook calendars through msal (identity platform) and Microsoft Graph over requests.

Only the base URLs come from settings (MICROSOFT_AUTHORITY, MICROSOFT_GRAPH_URL, PROVIDER_CA_BUNDLE).
"""

import logging
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import msal
import requests
from django.conf import settings

from .base import (
    Account,
    AuthorizationFailed,
    AuthorizationStart,
    Grant,
    ProviderCalendar,
    ProviderError,
    RateLimited,
    ReconnectNeeded,
    TemporaryProviderError,
    TokenSet,
    Unauthorized,
)
from .http import provider_session

logger = logging.getLogger(__name__)

# msal adds openid, profile and offline_access itself and rejects them as reserved if passed.
SCOPES = ["Calendars.ReadWrite", "User.Read"]

MICROSOFT_LOGIN_HOSTS = {"login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"}

# Shared across app instances so the OpenID configuration is fetched once per process, not per call.
_HTTP_CACHE: dict = {}


def _app() -> msal.ConfidentialClientApplication:
    authority_host = urlsplit(settings.MICROSOFT_AUTHORITY).hostname or ""
    return msal.ConfidentialClientApplication(
        settings.MICROSOFT_CLIENT_ID,
        client_credential=settings.MICROSOFT_CLIENT_SECRET,
        authority=settings.MICROSOFT_AUTHORITY,
        # Instance discovery asks Microsoft about the authority: only meaningful for Microsoft's own hosts.
        instance_discovery=authority_host in MICROSOFT_LOGIN_HOSTS,
        http_client=provider_session(),
        timeout=settings.PROVIDER_TIMEOUT_SECONDS,
        http_cache=_HTTP_CACHE,
    )


def _expiry(expires_in) -> datetime | None:
    return datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None


def _tokens(result: dict, fallback_refresh_token: str = "") -> TokenSet:
    return TokenSet(
        access_token=result["access_token"],
        refresh_token=result.get("refresh_token", fallback_refresh_token),
        expires_at=_expiry(result.get("expires_in")),
        scopes=result.get("scope", "") if isinstance(result.get("scope"), str) else " ".join(result.get("scope", [])),
    )


def _raise_for_graph(response: requests.Response, doing: str) -> None:
    if response.status_code < 400:
        return
    if response.status_code == 429:
        retry_after = response.headers.get("Retry-After")
        raise RateLimited(f"Microsoft is rate-limiting us while {doing}.",
                          retry_after=float(retry_after) if retry_after else None)
    if response.status_code == 401:
        raise Unauthorized(f"Microsoft refused the access token while {doing}.")
    if response.status_code >= 500:
        raise TemporaryProviderError(f"Microsoft had a temporary problem while {doing} (HTTP {response.status_code}).")
    raise ProviderError(f"Microsoft refused {doing} (HTTP {response.status_code}).")


class MicrosoftProvider:
    name = "microsoft"

    def begin_authorization(self, *, state: str, redirect_uri: str) -> AuthorizationStart:
        try:
            with warnings.catch_warnings():
                # msal suggests form_post; we use the query mode on purpose: a cross-site POST back to us would
                # arrive without the (SameSite=Lax) session cookie that holds this flow's state and PKCE verifier.
                warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended")
                flow = _app().initiate_auth_code_flow(
                    scopes=SCOPES, redirect_uri=redirect_uri, state=state, prompt="select_account",
                    response_mode="query",
                )
        except (requests.RequestException, ValueError):
            raise TemporaryProviderError("Could not reach Microsoft to start connecting. Try again.") from None
        return AuthorizationStart(url=flow["auth_uri"], flow=flow)

    def complete_authorization(self, *, flow: dict, params: dict, redirect_uri: str) -> Grant:
        if params.get("error"):
            raise AuthorizationFailed(
                "Microsoft did not grant access." if params["error"] == "access_denied"
                else f"Microsoft reported an error: {params['error']}."
            )
        try:
            result = _app().acquire_token_by_auth_code_flow(flow, params, scopes=SCOPES)
        except ValueError:
            # msal raises ValueError when the response does not belong to the flow (state mismatch).
            raise AuthorizationFailed("The answer from Microsoft did not match this sign-in.") from None
        except requests.RequestException:
            raise TemporaryProviderError("Could not reach Microsoft to finish connecting. Try again.") from None
        if "error" in result:
            raise AuthorizationFailed(f"Microsoft refused the authorization code ({result['error']}).")
        tokens = _tokens(result)
        return Grant(tokens=tokens, account=self.account(access_token=tokens.access_token))

    def refresh(self, *, refresh_token: str) -> TokenSet:
        try:
            result = _app().acquire_token_by_refresh_token(refresh_token, scopes=SCOPES)
        except requests.RequestException:
            raise TemporaryProviderError("Could not reach Microsoft to refresh the access token.") from None
        if "error" in result:
            if result["error"] in ("invalid_grant", "interaction_required"):
                raise ReconnectNeeded("Microsoft no longer accepts this connection (access was revoked or expired).")
            raise ProviderError(f"Microsoft refused to refresh the access token ({result['error']}).")
        # Microsoft replaces the refresh token on every use: the caller must store the new one.
        return _tokens(result, fallback_refresh_token=refresh_token)

    def revoke(self, *, token: str) -> None:
        """Microsoft has no per-token revocation; deleting our copy of the tokens is what disconnecting means."""

    def graph(self, access_token: str) -> requests.Session:
        session = provider_session()
        session.headers["Authorization"] = f"Bearer {access_token}"
        return session

    def _get(self, session: requests.Session, url: str, doing: str) -> dict:
        try:
            response = session.get(url)
        except requests.RequestException:
            raise TemporaryProviderError(f"Could not reach Microsoft while {doing}.") from None
        _raise_for_graph(response, doing)
        return response.json()

    def account(self, *, access_token: str) -> Account:
        me = self._get(self.graph(access_token), f"{settings.MICROSOFT_GRAPH_URL}/me", "reading the account")
        email = me.get("mail") or me.get("userPrincipalName") or ""
        return Account(account_id=me["id"], email=email, name=me.get("displayName", ""))

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]:
        session = self.graph(access_token)
        url, calendars = f"{settings.MICROSOFT_GRAPH_URL}/me/calendars", []
        while url:
            page = self._get(session, url, "listing calendars")
            for item in page.get("value", []):
                calendars.append(ProviderCalendar(
                    calendar_id=item["id"],
                    name=item.get("name") or "Calendar",
                    color=item.get("hexColor") or "",
                    is_primary=bool(item.get("isDefaultCalendar")),
                    can_edit=bool(item.get("canEdit")),
                ))
            url = page.get("@odata.nextLink")
        return calendars

    def _send(self, method: str, url: str, doing: str, access_token: str, body: dict | None = None) -> dict:
        try:
            response = self.graph(access_token).request(method, url, json=body)
        except requests.RequestException:
            raise TemporaryProviderError(f"Could not reach Microsoft while {doing}.") from None
        if method == "DELETE" and response.status_code == 404:
            return {}
        _raise_for_graph(response, doing)
        return response.json() if response.content else {}

    def subscribe(self, *, access_token: str, client_state: str, address: str, expires_at: datetime) -> dict:
        """A Graph subscription to the account's events; Graph first checks `address` with a validation token."""
        body = {
            "changeType": "created,updated,deleted",
            "notificationUrl": address,
            "resource": "me/events",
            "expirationDateTime": expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
            "clientState": client_state,
        }
        return self._send("POST", f"{settings.MICROSOFT_GRAPH_URL}/subscriptions", "creating a subscription",
                          access_token, body)

    def renew_subscription(self, *, access_token: str, subscription_id: str, expires_at: datetime) -> dict:
        body = {"expirationDateTime": expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")}
        return self._send("PATCH", f"{settings.MICROSOFT_GRAPH_URL}/subscriptions/{subscription_id}",
                          "renewing a subscription", access_token, body)

    def unsubscribe(self, *, access_token: str, subscription_id: str) -> None:
        self._send("DELETE", f"{settings.MICROSOFT_GRAPH_URL}/subscriptions/{subscription_id}",
                   "removing a subscription", access_token)
