"""Outlook calendars through msal (identity platform) and Microsoft Graph over requests.

Only the base URLs come from settings (MICROSOFT_AUTHORITY, MICROSOFT_GRAPH_URL, PROVIDER_CA_BUNDLE).
"""

import logging
import uuid
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import msal
import requests
from django.conf import settings

from .base import (
    MEETING_FAILED,
    MEETING_PENDING,
    MEETING_READY,
    Account,
    AuthorizationFailed,
    AuthorizationStart,
    Channel,
    EventDraft,
    EventNotFound,
    FullSyncRequired,
    Grant,
    Page,
    ProviderCalendar,
    ProviderError,
    ProviderEventResult,
    RateLimited,
    ReconnectNeeded,
    TemporaryProviderError,
    TokenSet,
    Unauthorized,
    event_description,
    event_location,
)
from .http import provider_session, thread_client
from .microsoft_pages import iana_zone_name, read_events_page  # noqa: F401 (iana_zone_name: read from here too)

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


def _graph_code(response: requests.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return error.get("code", "") if isinstance(error, dict) else ""


# Fixed forever: changing it would give every key a new transactionId and defeat deduplication of retries.
_TRANSACTION_NAMESPACE = uuid.UUID("6f1c3d0e-5b7a-4c8e-9a31-2d4e8f6b0c17")


def graph_transaction_id(key: str) -> str:
    """The Graph `transactionId` for one of our keys: Graph answers a repeated create with the first event."""
    if not key:
        raise ValueError("An event key is needed to derive a Graph transactionId.")
    return str(uuid.uuid5(_TRANSACTION_NAMESPACE, key))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


# --- writing events --------------------------------------------------------------------------------------------


def _write_when(moment: datetime, time_zone: str) -> dict:
    """Graph's dateTimeTimeZone: a wall-clock time without offset, read in `timeZone`.

    A wall-clock time that occurs twice (the hour the clocks go back) cannot name one instant without an offset,
    so such a moment goes as UTC instead; Graph still shows it in each reader's zone.
    """
    zone = ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": time_zone}


def _event_body(draft: EventDraft) -> dict:
    return {
        "subject": draft.summary,
        "body": {"contentType": "HTML", "content": event_description(draft, as_html=True)},
        "start": _write_when(draft.start, draft.time_zone),
        "end": _write_when(draft.end, draft.time_zone),
        "location": {"displayName": event_location(draft)},
        "attendees": [
            {"type": "required", "emailAddress": {"address": email, **({"name": name} if name else {})}}
            for name, email in draft.attendees
        ],
    }


def _meeting(event: dict, asked: bool = False) -> dict:
    """The result's meeting fields: the Teams join link is `onlineMeeting.joinUrl` (onlineMeetingUrl stays null
    for Teams); an online meeting without it yet is read again later. Asked for and answered with an event that is
    no online meeting: Outlook could not make it (it answers so for a mailbox without Teams)."""
    if not event.get("isOnlineMeeting"):
        if asked:
            return {"meeting_state": MEETING_FAILED, "meeting_label": MicrosoftProvider.meeting_label,
                    "meeting_error": "Outlook made the event without the Teams meeting (the mailbox may not be "
                                     "allowed to make Teams meetings)."}
        return {}
    join = (event.get("onlineMeeting") or {}).get("joinUrl")
    if isinstance(join, str) and join.startswith("https://"):
        return {"meeting_state": MEETING_READY, "meeting_url": join, "meeting_label": MicrosoftProvider.meeting_label}
    return {"meeting_state": MEETING_PENDING, "meeting_label": MicrosoftProvider.meeting_label}


def _result(event: dict, status: str, *, meeting_asked: bool = False) -> ProviderEventResult:
    if event.get("isCancelled"):
        status = "cancelled"
    return ProviderEventResult(provider_event_id=event["id"], status=status, html_link=event.get("webLink") or "",
                               ical_uid=event.get("iCalUId") or "", **_meeting(event, meeting_asked))


# --- reading events (sync) ---------------------------------------------------------------------------------------

# How a page of events is read: microsoft_pages.py (the sync may read pages in a worker process of its own).


def _first_delta_url(calendar: ProviderCalendar, window: tuple[datetime, datetime]) -> str:
    query = urlencode({
        "startDateTime": window[0].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "endDateTime": window[1].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    calendar_id = quote(calendar.calendar_id, safe="")
    return f"{settings.MICROSOFT_GRAPH_URL}/me/calendars/{calendar_id}/calendarView/delta?{query}"


class MicrosoftProvider:
    name = "microsoft"
    meeting_kind = "teams"
    meeting_label = "Microsoft Teams"

    # --- OAuth ---

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

    # --- HTTP ---

    def graph(self, access_token: str) -> requests.Session:
        """A Graph session for this thread (requests sessions are not thread-safe), reused while the token is
        the same, so the sync's pages share one connection."""
        key = (access_token, settings.PROVIDER_TIMEOUT_SECONDS, settings.PROVIDER_CA_BUNDLE)
        return thread_client("microsoft", key, lambda: self._session(access_token))

    @staticmethod
    def _session(access_token: str) -> requests.Session:
        session = provider_session()
        session.headers["Authorization"] = f"Bearer {access_token}"
        return session

    def _send(self, method: str, url: str, doing: str, access_token: str, *, body: dict | None = None,
              headers: dict | None = None) -> requests.Response:
        try:
            return self.graph(access_token).request(method, url, json=body, headers=headers)
        except requests.RequestException:
            # A write may have reached Graph even though the answer did not: callers' writes are idempotent.
            raise TemporaryProviderError(f"Could not reach Microsoft while {doing}.") from None

    def _call(self, method: str, url: str, doing: str, access_token: str, *, on: dict | None = None,
              **kwargs) -> requests.Response | None:
        """One Graph request, with its errors turned into ours. `on` maps an HTTP status to what it means here:
        an exception to raise, or None to return (a 404 on a cancel is a success, say)."""
        response = self._send(method, url, doing, access_token, **kwargs)
        if on and response.status_code in on:
            outcome = on[response.status_code]
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        raise_for_graph(response, doing)
        return response

    def _json(self, method: str, url: str, doing: str, access_token: str, **kwargs) -> dict:
        response = self._call(method, url, doing, access_token, **kwargs)
        return response.json() if response is not None and response.content else {}

    # --- account and calendars ---

    def account(self, *, access_token: str) -> Account:
        me = self._json("GET", f"{settings.MICROSOFT_GRAPH_URL}/me", "reading the account", access_token)
        email = me.get("mail") or me.get("userPrincipalName") or ""
        return Account(account_id=me["id"], email=email, name=me.get("displayName", ""))

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]:
        url, calendars = f"{settings.MICROSOFT_GRAPH_URL}/me/calendars", []
        while url:
            page = self._json("GET", url, "listing calendars", access_token)
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

    # --- sync: calendarView/delta per calendar ---

    def fetch_events_page(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                          window: tuple[datetime, datetime]) -> Page:
        content = self.fetch_events_content(access_token=access_token, calendar=calendar, page=page, cursor=cursor,
                                            window=window)
        return self.read_events_page(content, calendar=calendar, window=window)

    def fetch_events_content(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                             window: tuple[datetime, datetime]) -> bytes:
        """The body of one page of events as it came (JSON), for read_events_page: HTTP only."""
        # Graph's links are self-contained: a nextLink continues, a deltaLink (which encodes the window) starts the
        # next incremental sync.
        url = page or cursor or _first_delta_url(calendar, window)
        headers = {"Prefer": f"odata.maxpagesize={settings.CALENDAR_SYNC_GRAPH_PAGE_SIZE}"}
        response = self._send("GET", url, "listing events", access_token, headers=headers)
        stale = response.status_code == 410 or (response.status_code >= 400 and
                                                _graph_code(response) == "syncStateNotFound")
        if stale:  # the delta link is no longer accepted
            raise FullSyncRequired("Microsoft needs a full sync of this calendar.")
        raise_for_graph(response, "listing events")
        return response.content

    def read_events_page(self, content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
                         on_links: Callable[[str, str], None] | None = None) -> Page:
        return read_events_page(content, calendar=calendar, window=window, on_links=on_links)

    # --- events ---

    def create_event(self, *, access_token: str, calendar_id: str | None, key: str,
                     draft: EventDraft) -> ProviderEventResult:
        """Create the event (in the default calendar without `calendar_id`); Outlook sends the invitations.

        Safe to repeat: Graph answers a create with a `transactionId` it has seen with the event it made then.
        Graph assigns its own iCalUId (it cannot take ours): the result carries it for the caller to store.
        """
        base = settings.MICROSOFT_GRAPH_URL
        url = f"{base}/me/calendars/{quote(calendar_id, safe='')}/events" if calendar_id else f"{base}/me/events"
        body = {"transactionId": graph_transaction_id(key), **_event_body(draft)}
        if draft.online_meeting:
            body.update(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
        return _result(self._json("POST", url, "creating the event", access_token, body=body), "created",
                       meeting_asked=draft.online_meeting)

    def update_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     draft: EventDraft, restore: bool = False) -> ProviderEventResult:
        """Bring the event in line with `draft`; Outlook sends updates to the attendees. (Graph finds an event by
        id in any of the mailbox's calendars.) A deleted event cannot be brought back (`restore` changes nothing):
        EventNotFound, and the caller makes a new one."""
        url = f"{settings.MICROSOFT_GRAPH_URL}/me/events/{quote(event_id, safe='')}"
        gone = EventNotFound("The event was deleted from the Outlook calendar.")
        body = _event_body(draft)
        if draft.online_meeting and draft.meeting_request:
            # The meeting asked for again (Outlook made the event without it): an event may become one later.
            body.update(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
        event = self._json("PATCH", url, "updating the event", access_token, body=body, on={404: gone})
        return _result(event, "updated", meeting_asked=draft.online_meeting)

    def read_event(self, *, access_token: str, calendar_id: str | None, event_id: str) -> ProviderEventResult:
        url = f"{settings.MICROSOFT_GRAPH_URL}/me/events/{quote(event_id, safe='')}"
        gone = EventNotFound("The event is not in the Outlook calendar.")
        return _result(self._json("GET", url, "reading the event", access_token, on={404: gone}), "read")

    def cancel_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     comment: str = "") -> ProviderEventResult:
        """The organizer's cancel (`POST /events/{id}/cancel`): Outlook sends the attendees a cancellation with
        `comment` and removes the event from the organizer's calendar. Gone already (404) counts as cancelled."""
        url = f"{settings.MICROSOFT_GRAPH_URL}/me/events/{quote(event_id, safe='')}/cancel"
        self._call("POST", url, "cancelling the event", access_token, body={"Comment": comment}, on={404: None})
        return ProviderEventResult(provider_event_id=event_id, status="cancelled")

    # --- push: one subscription to all of the account's events ---

    def channel_calendars(self, selected: Sequence[str]) -> list[str | None]:
        return [None]

    def open_channel(self, *, access_token: str, calendar_id: str | None, channel_id: str, secret: str,
                     address: str) -> Channel:
        """A Graph subscription to the account's events; Graph first checks `address` with a validation token and
        names the subscription itself (`channel_id` is not used)."""
        expires_at = datetime.now(UTC) + timedelta(minutes=settings.CALENDAR_PUSH_GRAPH_TTL_MINUTES)
        body = {
            "changeType": "created,updated,deleted",
            "notificationUrl": address,
            "resource": "me/events",
            "expirationDateTime": _stamp(expires_at),
            "clientState": secret,
        }
        subscription = self._json("POST", f"{settings.MICROSOFT_GRAPH_URL}/subscriptions",
                                  "creating a subscription", access_token, body=body)
        return Channel(channel_id=subscription["id"], secret=secret, expires_at=expires_at)

    def renew_channel(self, *, access_token: str, channel: Channel, address: str, new_channel_id: str,
                      new_secret: str) -> Channel:
        """Subscriptions are extended in place (PATCH), keeping their id and clientState."""
        expires_at = datetime.now(UTC) + timedelta(minutes=settings.CALENDAR_PUSH_GRAPH_TTL_MINUTES)
        url = f"{settings.MICROSOFT_GRAPH_URL}/subscriptions/{quote(channel.channel_id, safe='')}"
        self._call("PATCH", url, "renewing a subscription", access_token,
                   body={"expirationDateTime": _stamp(expires_at)})
        return Channel(channel_id=channel.channel_id, secret=channel.secret, expires_at=expires_at)

    def close_channel(self, *, access_token: str, channel: Channel) -> None:
        url = f"{settings.MICROSOFT_GRAPH_URL}/subscriptions/{quote(channel.channel_id, safe='')}"
        self._call("DELETE", url, "removing a subscription", access_token, on={404: None})  # 404: already gone
