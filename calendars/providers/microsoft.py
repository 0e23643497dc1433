"""Outlook calendars through msal (identity platform) and Microsoft Graph over requests.

Only the base URLs come from settings (MICROSOFT_AUTHORITY, MICROSOFT_GRAPH_URL, PROVIDER_CA_BUNDLE).
"""

import html
import logging
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import msal
import requests
from django.conf import settings

from .base import (
    Account,
    AuthorizationFailed,
    AuthorizationStart,
    EventDraft,
    EventNotFound,
    Grant,
    ProviderCalendar,
    ProviderError,
    ProviderEventResult,
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


def raise_for_graph(response: requests.Response, doing: str) -> None:
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


# Fixed forever: changing it would give every key a new transactionId and defeat deduplication of retries.
_TRANSACTION_NAMESPACE = uuid.UUID("6f1c3d0e-5b7a-4c8e-9a31-2d4e8f6b0c17")


def graph_transaction_id(key: str) -> str:
    """The Graph `transactionId` for one of our keys: Graph answers a repeated create with the first event."""
    if not key:
        raise ValueError("An event key is needed to derive a Graph transactionId.")
    return str(uuid.uuid5(_TRANSACTION_NAMESPACE, key))


def _when(moment: datetime, time_zone: str) -> dict:
    """Graph's dateTimeTimeZone: a wall-clock time without offset, read in `timeZone`.

    A wall-clock time that occurs twice (the hour the clocks go back) cannot name one instant without an offset,
    so such a moment goes as UTC instead; Graph still shows it in each reader's zone.
    """
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": time_zone}


def _body_html(draft: EventDraft) -> str:
    # Recruiter-written text: escaped, never interpreted as markup.
    parts = [html.escape(draft.description).replace("\n", "<br>")] if draft.description else []
    if draft.video_link:
        link = html.escape(draft.video_link, quote=True)
        if draft.video_link.lower().startswith(("https://", "http://")):
            link = f'<a href="{link}">{link}</a>'
        parts.append(f"Video call: {link}")
    return "<br><br>".join(parts)


def _event_body(draft: EventDraft) -> dict:
    return {
        "subject": draft.summary,
        "body": {"contentType": "HTML", "content": _body_html(draft)},
        "start": _when(draft.start, draft.time_zone),
        "end": _when(draft.end, draft.time_zone),
        # Without a place the video link is where people go; calendars show the location most prominently.
        "location": {"displayName": draft.location or draft.video_link},
        "attendees": [
            {"type": "required", "emailAddress": {"address": email, **({"name": name} if name else {})}}
            for name, email in draft.attendees
        ],
    }


def _result(event: dict, status: str) -> ProviderEventResult:
    if event.get("isCancelled"):
        status = "cancelled"
    return ProviderEventResult(provider_event_id=event["id"], status=status, html_link=event.get("webLink") or "",
                               ical_uid=event.get("iCalUId") or "")


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
        raise_for_graph(response, doing)
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
        raise_for_graph(response, doing)
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

    def create_event(self, *, access_token: str, calendar_id: str | None, transaction_id: str,
                     draft: EventDraft) -> ProviderEventResult:
        """Create the event (in the default calendar without `calendar_id`); Outlook sends the invitations.

        Safe to repeat: Graph answers a create with a `transactionId` it has seen with the event it made then.
        Graph assigns its own iCalUId (it cannot take ours): the result carries it for the caller to store.
        """
        base = settings.MICROSOFT_GRAPH_URL
        url = f"{base}/me/calendars/{quote(calendar_id, safe='')}/events" if calendar_id else f"{base}/me/events"
        body = {"transactionId": transaction_id, **_event_body(draft)}
        return _result(self._send("POST", url, "creating the event", access_token, body), "created")

    def update_event(self, *, access_token: str, event_id: str, draft: EventDraft) -> ProviderEventResult:
        """Bring the event in line with `draft`; Outlook sends updates to the attendees."""
        url = f"{settings.MICROSOFT_GRAPH_URL}/me/events/{quote(event_id, safe='')}"
        try:
            response = self.graph(access_token).patch(url, json=_event_body(draft))
        except requests.RequestException:
            raise TemporaryProviderError("Could not reach Microsoft while updating the event.") from None
        if response.status_code == 404:
            raise EventNotFound("The event was deleted from the Outlook calendar.")
        raise_for_graph(response, "updating the event")
        return _result(response.json(), "updated")

    def cancel_event(self, *, access_token: str, event_id: str) -> ProviderEventResult:
        """Delete the event; as the organizer's copy goes, Outlook sends the cancellations. Gone already is fine.

        Graph's `POST /events/{id}/cancel` (with a comment) would do the same, but the sandbox does not offer it.
        """
        url = f"{settings.MICROSOFT_GRAPH_URL}/me/events/{quote(event_id, safe='')}"
        self._send("DELETE", url, "cancelling the event", access_token)  # a 404 is answered as success
        return ProviderEventResult(provider_event_id=event_id, status="cancelled")
