"""Google Calendar through google-auth, google-auth-oauthlib and google-api-python-client.

Only the base URLs come from settings (GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI, GOOGLE_REVOKE_URI, GOOGLE_API_ENDPOINT),
so the same code talks to Google or to the sandbox.
"""

import base64
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import google.auth.transport.requests
import google_auth_httplib2
import httplib2
import requests
from django.conf import settings
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

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
from .google_pages import read_events_page
from .http import provider_session, thread_client

logger = logging.getLogger(__name__)

SCOPES = ["openid", "https://www.googleapis.com/auth/userinfo.email", "https://www.googleapis.com/auth/calendar"]

# Google may answer with the scopes in another order or with earlier grants added (include_granted_scopes);
# oauthlib would treat that as an error.
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")


def _client_config() -> dict:
    return {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_AUTH_URI,
            "token_uri": settings.GOOGLE_TOKEN_URI,
        }
    }


def _expiry(expires_in) -> datetime | None:
    return datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None


def error_from_http(error: HttpError, doing: str) -> ProviderError:
    status = error.status_code
    reasons = {detail.get("reason") for detail in (error.error_details or []) if isinstance(detail, dict)}
    if status == 429 or (status == 403 and reasons & {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}):
        retry_after = error.resp.get("retry-after") if error.resp else None
        return RateLimited(f"Google is rate-limiting us while {doing}.",
                           retry_after=float(retry_after) if retry_after else None)
    if status == 401:
        return Unauthorized(f"Google refused the access token while {doing}.")
    if status >= 500:
        return TemporaryProviderError(f"Google had a temporary problem while {doing} (HTTP {status}).")
    return ProviderError(f"Google refused {doing} (HTTP {status}).")


_RAISE = object()


class _ThreadsHttpOnly(httplib2.Http):
    """The shared client's own http, never to be used: every request is executed with its thread's. One that was
    not fails here, rather than going out without credentials."""

    def request(self, *args, **kwargs):
        raise RuntimeError("A Google API request was executed without its thread's http.")


_apis: dict[str, object] = {}
_apis_lock = threading.RLock()  # events_api() builds the client, under the same lock


def calendar_api():
    """The Calendar v3 client, built once per process (and API endpoint) and shared by every thread.

    Building one parses the discovery document: about 10 ms, and the sync's prefetch threads, each starting with a
    client of its own, waited for each other's under the GIL (four calendars: 40 ms before the first request, most
    of an incremental sync). The client only makes requests; each is executed with its thread's own authorised
    http (_execute), which is what the library asks of threads (httplib2 is not thread-safe)."""
    endpoint = settings.GOOGLE_API_ENDPOINT
    with _apis_lock:
        if endpoint not in _apis:
            _apis[endpoint] = build("calendar", "v3", http=_ThreadsHttpOnly(), static_discovery=True,
                                    cache_discovery=False, client_options={"api_endpoint": endpoint})
        return _apis[endpoint]


def events_api():
    """The client's events collection, made once too: each `.events()` builds its methods anew from the discovery
    document, about 0.5 MB of objects in reference cycles (measured)."""
    key = f"events {settings.GOOGLE_API_ENDPOINT}"
    with _apis_lock:
        if key not in _apis:
            _apis[key] = calendar_api().events()
        return _apis[key]


def authorised_http(access_token: str) -> httplib2.Http:
    http = httplib2.Http(timeout=settings.PROVIDER_TIMEOUT_SECONDS, ca_certs=settings.PROVIDER_CA_BUNDLE or None)
    # No silent refresh on 401: these credentials carry no refresh token; our caller refreshes under a lock.
    return google_auth_httplib2.AuthorizedHttp(Credentials(token=access_token), http=http, refresh_status_codes=())


def _execute(request, doing: str, *, http: httplib2.Http, on: dict | None = None):
    """Run one API request over `http` (the calling thread's, authorised: see calendar_api), with Google's errors
    turned into ours. `on` maps an HTTP status to what it means here instead: an exception to raise, or a value to
    return (a 404 on a delete is a success, say)."""
    try:
        return request.execute(http=http, num_retries=0)  # we own the retry policy (see PROVIDERS.md)
    except HttpError as error:
        outcome = (on or {}).get(error.status_code, _RAISE)
        if outcome is _RAISE:
            raise error_from_http(error, doing) from None
        if isinstance(outcome, BaseException):
            raise outcome from None
        return outcome
    except (httplib2.HttpLib2Error, OSError):  # OSError covers timeouts and refused connections
        # A write may have reached Google even though the answer did not: callers' writes are idempotent.
        raise TemporaryProviderError(f"Could not reach Google while {doing}.") from None


def _unparsed(response, content: bytes) -> bytes:
    """A request's `postproc` that keeps the body as it came (the client's own decodes the JSON); a 204 has none."""
    return b"" if response.status == 204 else content


def google_event_id(key: str) -> str:
    """The Google event id for one of our keys: always the same for the same key, and valid for Google.

    Google event ids are base32hex (a-v, 0-9), 5 to 1024 characters. Choosing the id ourselves is what makes a
    retried insert safe: Google answers 409 instead of creating a second event.
    """
    if not key:
        raise ValueError("An event key is needed to derive a Google event id.")
    digest = hashlib.sha256(key.encode()).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


# --- writing events --------------------------------------------------------------------------------------------


def _write_when(moment: datetime, time_zone: str) -> dict:
    # The offset pins the instant; timeZone tells Google whose wall clock the event follows (DST, moves).
    return {"dateTime": moment.astimezone(ZoneInfo(time_zone)).isoformat(timespec="seconds"), "timeZone": time_zone}


def _attendees(draft: EventDraft, current: list[dict] | None = None) -> list[dict]:
    # Entries Google already has keep their responseStatus and other fields; a reschedule must not wipe answers.
    known = {item.get("email", "").lower(): item for item in current or []}
    wanted = []
    for name, email in draft.attendees:
        item = dict(known.get(email.lower(), {}))
        item["email"] = email
        if name:
            item["displayName"] = name
        wanted.append(item)
    return wanted


def _event_body(draft: EventDraft, current_attendees: list[dict] | None = None) -> dict:
    return {
        "summary": draft.summary,
        "description": event_description(draft, as_html=False),
        "location": event_location(draft),
        "start": _write_when(draft.start, draft.time_zone),
        "end": _write_when(draft.end, draft.time_zone),
        "attendees": _attendees(draft, current_attendees),
    }


def _conference_request(request_id: str) -> dict:
    # The requestId is ours and fixed per event (and per request to make it again): a repeated request makes no
    # second conference.
    return {"createRequest": {"requestId": request_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def _meeting(event: dict) -> dict:
    """The result's meeting fields from the event's conferenceData (createRequest.status.statusCode: pending,
    success or failure; the join link is the "video" entry point, or hangoutLink)."""
    data = event.get("conferenceData")
    if not isinstance(data, dict):
        return {}
    code = ((data.get("createRequest") or {}).get("status") or {}).get("statusCode")
    video = [p.get("uri") for p in data.get("entryPoints") or []
             if isinstance(p, dict) and p.get("entryPointType") == "video" and isinstance(p.get("uri"), str)]
    url = (video[0] if video else event.get("hangoutLink")) or ""
    label = str((data.get("conferenceSolution") or {}).get("name") or "Google Meet")
    if code == "failure":
        return {"meeting_state": MEETING_FAILED, "meeting_label": label,
                "meeting_error": "Google could not create the Meet conference."}
    if code == "pending" or not url.startswith("https://"):
        return {"meeting_state": MEETING_PENDING, "meeting_label": label}
    return {"meeting_state": MEETING_READY, "meeting_url": url, "meeting_label": label}


def _result(event: dict, status: str) -> ProviderEventResult:
    if event.get("status") == "cancelled":
        status = "cancelled"
    return ProviderEventResult(provider_event_id=event["id"], status=status, html_link=event.get("htmlLink", ""),
                               ical_uid=event.get("iCalUID", ""), **_meeting(event))


# --- reading events (sync) ---------------------------------------------------------------------------------------


# How a page of events is read: google_pages.py (the sync may read pages in a worker process of its own).


class GoogleProvider:
    name = "google"
    meeting_kind = "google_meet"
    meeting_label = "Google Meet"

    # --- OAuth ---

    def begin_authorization(self, *, state: str, redirect_uri: str) -> AuthorizationStart:
        flow = Flow.from_client_config(_client_config(), scopes=SCOPES, redirect_uri=redirect_uri)
        url, _ = flow.authorization_url(
            state=state,
            access_type="offline",
            # Google sends a refresh token only on consent; asking again guarantees one on reconnect too.
            prompt="consent",
            include_granted_scopes="true",
        )
        return AuthorizationStart(url=url, flow={"code_verifier": flow.code_verifier})

    def complete_authorization(self, *, flow: dict, params: dict, redirect_uri: str) -> Grant:
        if params.get("error"):
            raise AuthorizationFailed(
                "Google did not grant access." if params["error"] == "access_denied"
                else f"Google reported an error: {params['error']}."
            )
        code = params.get("code")
        if not code:
            raise AuthorizationFailed("Google sent no authorization code back.")
        oauth_flow = Flow.from_client_config(
            _client_config(), scopes=SCOPES, redirect_uri=redirect_uri,
            code_verifier=flow.get("code_verifier"), autogenerate_code_verifier=False,
        )
        try:
            token = oauth_flow.fetch_token(code=code, timeout=settings.PROVIDER_TIMEOUT_SECONDS)
        except OAuth2Error as error:
            raise AuthorizationFailed(f"Google refused the authorization code ({error.error}).") from None
        except requests.RequestException:
            raise TemporaryProviderError("Could not reach Google to finish connecting. Try again.") from None
        tokens = TokenSet(
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token", ""),
            expires_at=_expiry(token.get("expires_in")),
            scopes=" ".join(token.get("scope", [])) if isinstance(token.get("scope"), list) else token.get("scope", ""),
        )
        return Grant(tokens=tokens, account=self.account(access_token=tokens.access_token))

    def refresh(self, *, refresh_token: str) -> TokenSet:
        credentials = Credentials(
            token=None, refresh_token=refresh_token, token_uri=settings.GOOGLE_TOKEN_URI,
            client_id=settings.GOOGLE_CLIENT_ID, client_secret=settings.GOOGLE_CLIENT_SECRET,
        )
        try:
            credentials.refresh(google.auth.transport.requests.Request(session=provider_session()))
        except RefreshError as error:
            if "invalid_grant" in str(error.args[:1]):
                raise ReconnectNeeded("Google no longer accepts this connection (access was revoked or expired).") \
                    from None
            raise ProviderError("Google refused to refresh the access token.") from None
        except TransportError:
            raise TemporaryProviderError("Could not reach Google to refresh the access token.") from None
        expiry = credentials.expiry.replace(tzinfo=UTC) if credentials.expiry else None
        # Google keeps the same refresh token; it does not rotate them.
        return TokenSet(access_token=credentials.token, refresh_token=refresh_token, expires_at=expiry)

    def revoke(self, *, token: str) -> None:
        try:
            response = provider_session().post(settings.GOOGLE_REVOKE_URI, data={"token": token})
        except requests.RequestException:
            raise TemporaryProviderError("Could not reach Google to revoke access.") from None
        if response.status_code not in (200, 400):  # 400: already revoked or expired — nothing left to revoke
            raise ProviderError(f"Google refused to revoke access (HTTP {response.status_code}).")

    def _http(self, access_token: str) -> httplib2.Http:
        """This thread's connection to Google for `access_token` (httplib2 is not thread-safe), kept while the token
        is the same."""
        key = (access_token, settings.PROVIDER_TIMEOUT_SECONDS, settings.PROVIDER_CA_BUNDLE)
        return thread_client("google-http", key, lambda: authorised_http(access_token))

    # --- account and calendars ---

    def account(self, *, access_token: str) -> Account:
        primary = _execute(calendar_api().calendarList().get(calendarId="primary"), "reading the account",
                           http=self._http(access_token))
        # The primary calendar's id is the account's address.
        return Account(account_id=primary["id"], email=primary["id"], name=primary.get("summary", ""))

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]:
        collection, http = calendar_api().calendarList(), self._http(access_token)
        calendars, page_token = [], None
        while True:
            page = _execute(collection.list(pageToken=page_token, maxResults=250), "listing calendars", http=http)
            for item in page.get("items", []):
                calendars.append(ProviderCalendar(
                    calendar_id=item["id"],
                    name=item.get("summaryOverride") or item.get("summary") or item["id"],
                    time_zone=item.get("timeZone", ""),
                    color=item.get("backgroundColor", ""),
                    is_primary=bool(item.get("primary")),
                    can_edit=item.get("accessRole") in ("owner", "writer"),
                ))
            page_token = page.get("nextPageToken")
            if not page_token:
                return calendars

    # --- sync ---

    def fetch_events_page(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                          window: tuple[datetime, datetime]) -> Page:
        content = self.fetch_events_content(access_token=access_token, calendar=calendar, page=page, cursor=cursor,
                                            window=window)
        return self.read_events_page(content, calendar=calendar, window=window)

    def fetch_events_content(self, *, access_token: str, calendar: ProviderCalendar, page: str, cursor: str,
                             window: tuple[datetime, datetime]) -> bytes:
        """The body of one page of events as it came (JSON), for read_events_page: HTTP only."""
        # Keep the parameters of full and incremental requests identical, as Google requires for sync tokens.
        params = {"calendarId": calendar.calendar_id, "singleEvents": True,
                  "maxResults": settings.CALENDAR_SYNC_PAGE_SIZE}
        if cursor:
            params["syncToken"] = cursor
        if page:
            params["pageToken"] = page
        request = events_api().list(**params)
        # The body as it came, not decoded by the client: read_events_page reads it, here or in the sync's worker.
        request.postproc = _unparsed
        # 410: the sync token expired or was invalidated.
        return _execute(request, "listing events", http=self._http(access_token),
                        on={410: FullSyncRequired("Google needs a full sync of this calendar.")})

    def read_events_page(self, content: bytes, *, calendar: ProviderCalendar, window: tuple[datetime, datetime],
                         on_links: Callable[[str, str], None] | None = None) -> Page:
        return read_events_page(content, calendar=calendar, window=window, on_links=on_links)

    # --- events ---

    def create_event(self, *, access_token: str, calendar_id: str | None, key: str,
                     draft: EventDraft) -> ProviderEventResult:
        """Create the event with an id derived from `key` and our UID; Google sends the invitations.

        Safe to repeat: a second insert with the same id answers 409 and we return the event the first one made.
        """
        events, http, calendar_id = events_api(), self._http(access_token), calendar_id or "primary"
        event_id = google_event_id(key)
        body = {"id": event_id, "iCalUID": draft.ical_uid, **_event_body(draft)}
        extra = {}
        if draft.online_meeting:
            # Without conferenceDataVersion=1 Google ignores conferenceData; the answer may still say "pending".
            body["conferenceData"] = _conference_request(f"meet-{google_event_id(key)[:40]}")
            extra = {"conferenceDataVersion": 1}
        conflict = object()
        event = _execute(events.insert(calendarId=calendar_id, body=body, sendUpdates="all", **extra),
                         "creating the event", http=http, on={409: conflict})
        if event is not conflict:
            return _result(event, "created")
        # An earlier attempt got through (perhaps its answer was lost): that event is the one we want.
        try:
            event = self._get_event(http, calendar_id, event_id)
        except EventNotFound:
            # The 409 was about the iCalUID: another event already carries our UID under a different id.
            raise ProviderError("Google already has another event with this interview's calendar UID.") from None
        logger.info("Google event %s already existed; the insert was a repeat", event_id)
        return _result(event, "created")

    def update_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     draft: EventDraft, restore: bool = False) -> ProviderEventResult:
        """Bring the event in line with `draft` (time, place, people, text); Google sends the updates.

        A deleted event stays at Google with status "cancelled" (and keeps our iCalUID, so a new event with it
        would be refused): `restore` sets it back to "confirmed", which invites its attendees again."""
        events, http, calendar_id = events_api(), self._http(access_token), calendar_id or "primary"
        current = self._get_event(http, calendar_id, event_id)
        gone = EventNotFound("The event was deleted from the Google calendar.")
        if current.get("status") == "cancelled" and not restore:
            raise gone
        # No conferenceDataVersion: Google leaves the event's conference as it is, so the meeting link stays;
        # unless the meeting is asked for again (the last request failed).
        body = _event_body(draft, current.get("attendees"))
        extra = {}
        if draft.online_meeting and draft.meeting_request:
            body["conferenceData"] = _conference_request(f"meet-{draft.meeting_request}"[:64])
            extra = {"conferenceDataVersion": 1}
        if restore:
            body["status"] = "confirmed"
        event = _execute(events.patch(calendarId=calendar_id, eventId=event_id, body=body, sendUpdates="all",
                                      **extra), "updating the event", http=http, on={404: gone, 410: gone})
        return _result(event, "updated")

    def read_event(self, *, access_token: str, calendar_id: str | None, event_id: str) -> ProviderEventResult:
        return _result(self._get_event(self._http(access_token), calendar_id or "primary", event_id), "read")

    def cancel_event(self, *, access_token: str, calendar_id: str | None, event_id: str,
                     comment: str = "") -> ProviderEventResult:
        """Delete the event; Google sends the cancellations (it has no place for a comment). Gone already is fine:
        410 means deleted before (by us on a lost answer, or by someone)."""
        request = events_api().delete(calendarId=calendar_id or "primary", eventId=event_id, sendUpdates="all")
        _execute(request, "cancelling the event", http=self._http(access_token), on={404: None, 410: None})
        return ProviderEventResult(provider_event_id=event_id, status="cancelled")

    @staticmethod
    def _get_event(http: httplib2.Http, calendar_id: str, event_id: str) -> dict:
        missing = EventNotFound("The event is not in the Google calendar.")
        return _execute(events_api().get(calendarId=calendar_id, eventId=event_id), "reading the event", http=http,
                        on={404: missing, 410: missing})

    # --- push: one watch channel per calendar ---

    def channel_calendars(self, selected: Sequence[str]) -> list[str | None]:
        return list(selected)

    def open_channel(self, *, access_token: str, calendar_id: str | None, channel_id: str, secret: str,
                     address: str) -> Channel:
        ttl_seconds = settings.CALENDAR_PUSH_TTL_SECONDS
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": secret,
                "params": {"ttl": str(ttl_seconds)}}
        request = events_api().watch(calendarId=calendar_id or "primary", body=body)
        watched = _execute(request, "creating a push channel", http=self._http(access_token))
        expiration_ms = int(watched.get("expiration") or 0)
        expires_at = (datetime.fromtimestamp(expiration_ms / 1000, tz=UTC) if expiration_ms
                      else datetime.now(UTC) + timedelta(seconds=ttl_seconds))
        return Channel(channel_id=channel_id, secret=secret, expires_at=expires_at,
                       resource_id=watched.get("resourceId", ""), calendar_id=calendar_id)

    def renew_channel(self, *, access_token: str, channel: Channel, address: str, new_channel_id: str,
                      new_secret: str) -> Channel:
        """Google channels cannot be extended: open the replacement first, then stop the old one."""
        replacement = self.open_channel(access_token=access_token, calendar_id=channel.calendar_id,
                                        channel_id=new_channel_id, secret=new_secret, address=address)
        try:
            self.close_channel(access_token=access_token, channel=channel)
        except ProviderError as error:
            # It expires by itself; its notifications name a channel we no longer have and are refused.
            logger.warning("Could not stop the replaced Google channel %s: %s", channel.channel_id, error)
        return replacement

    def close_channel(self, *, access_token: str, channel: Channel) -> None:
        request = calendar_api().channels().stop(body={"id": channel.channel_id, "resourceId": channel.resource_id})
        # 404: already gone
        _execute(request, "stopping a push channel", http=self._http(access_token), on={404: None})
