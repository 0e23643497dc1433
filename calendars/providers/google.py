"""Google Calendar through google-auth, google-auth-oauthlib and google-api-python-client.

Only the base URLs come from settings (GOOGLE_AUTH_URI, GOOGLE_TOKEN_URI, GOOGLE_REVOKE_URI, GOOGLE_API_ENDPOINT),
so the same code talks to Google or to the sandbox.
"""

import base64
import hashlib
import logging
import os
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


def google_event_id(key: str) -> str:
    """The Google event id for one of our keys: always the same for the same key, and valid for Google.

    Google event ids are base32hex (a-v, 0-9), 5 to 1024 characters. Choosing the id ourselves is what makes a
    retried insert safe: Google answers 409 instead of creating a second event.
    """
    if not key:
        raise ValueError("An event key is needed to derive a Google event id.")
    digest = hashlib.sha256(key.encode()).digest()
    return base64.b32hexencode(digest).decode("ascii").rstrip("=").lower()


def _when(moment: datetime, time_zone: str) -> dict:
    # The offset pins the instant; timeZone tells Google whose wall clock the event follows (DST, moves).
    return {"dateTime": moment.astimezone(ZoneInfo(time_zone)).isoformat(timespec="seconds"), "timeZone": time_zone}


def _description(draft: EventDraft) -> str:
    if not draft.video_link:
        return draft.description
    return f"{draft.description}\n\nVideo call: {draft.video_link}".strip()


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
        "description": _description(draft),
        # Without a place the video link is where people go; calendars show the location most prominently.
        "location": draft.location or draft.video_link,
        "start": _when(draft.start, draft.time_zone),
        "end": _when(draft.end, draft.time_zone),
        "attendees": _attendees(draft, current_attendees),
    }


def _result(event: dict, status: str) -> ProviderEventResult:
    if event.get("status") == "cancelled":
        status = "cancelled"
    return ProviderEventResult(provider_event_id=event["id"], status=status, html_link=event.get("htmlLink", ""),
                               ical_uid=event.get("iCalUID", ""))


class GoogleProvider:
    name = "google"

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

    def service(self, *, access_token: str):
        """A Calendar v3 client for one task: httplib2 is not thread-safe, so never share it."""
        credentials = Credentials(token=access_token)
        http = httplib2.Http(timeout=settings.PROVIDER_TIMEOUT_SECONDS, ca_certs=settings.PROVIDER_CA_BUNDLE or None)
        return build(
            "calendar", "v3",
            # No silent refresh on 401: these credentials carry no refresh token; our caller refreshes under a lock.
            http=google_auth_httplib2.AuthorizedHttp(credentials, http=http, refresh_status_codes=()),
            static_discovery=True, cache_discovery=False,
            client_options={"api_endpoint": settings.GOOGLE_API_ENDPOINT},
        )

    def account(self, *, access_token: str) -> Account:
        try:
            primary = self.service(access_token=access_token).calendarList().get(calendarId="primary").execute()
        except HttpError as error:
            raise error_from_http(error, "reading the account") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to read the account.") from None
        # The primary calendar's id is the account's address.
        return Account(account_id=primary["id"], email=primary["id"], name=primary.get("summary", ""))

    def list_calendars(self, *, access_token: str) -> list[ProviderCalendar]:
        service = self.service(access_token=access_token)
        calendars, page_token = [], None
        try:
            while True:
                page = service.calendarList().list(pageToken=page_token, maxResults=250).execute()
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
        except HttpError as error:
            raise error_from_http(error, "listing calendars") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to list calendars.") from None

    def watch(self, *, access_token: str, calendar_id: str, channel_id: str, token: str, address: str,
              ttl_seconds: int) -> dict:
        """Ask Google to POST to `address` whenever this calendar's events change. Returns the channel."""
        body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
                "params": {"ttl": str(ttl_seconds)}}
        try:
            return self.service(access_token=access_token).events().watch(calendarId=calendar_id, body=body).execute()
        except HttpError as error:
            raise error_from_http(error, "creating a push channel") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to create a push channel.") from None

    def stop_watch(self, *, access_token: str, channel_id: str, resource_id: str) -> None:
        try:
            self.service(access_token=access_token).channels().stop(
                body={"id": channel_id, "resourceId": resource_id}
            ).execute()
        except HttpError as error:
            if error.status_code != 404:  # already gone
                raise error_from_http(error, "stopping a push channel") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to stop a push channel.") from None

    def insert_event(self, *, access_token: str, calendar_id: str, event_id: str, draft: EventDraft,
                     send_updates: str = "all") -> ProviderEventResult:
        """Create the event with our id and UID; Google sends the invitations (`send_updates`).

        Safe to repeat: a second insert with the same id answers 409 and we return the event the first one made.
        """
        events = self.service(access_token=access_token).events()
        body = {"id": event_id, "iCalUID": draft.ical_uid, **_event_body(draft)}
        try:
            event = events.insert(calendarId=calendar_id, body=body, sendUpdates=send_updates).execute()
            return _result(event, "created")
        except HttpError as error:
            if error.status_code != 409:
                raise error_from_http(error, "creating the event") from None
        except (httplib2.HttpLib2Error, OSError):
            # The insert may have reached Google even though the answer did not; the retry will answer 409.
            raise TemporaryProviderError("Could not reach Google to create the event.") from None
        # An earlier attempt got through (perhaps its answer was lost): that event is the one we want.
        try:
            event = self._get_event(events, calendar_id, event_id)
        except EventNotFound:
            # The 409 was about the iCalUID: another event already carries our UID under a different id.
            raise ProviderError("Google already has another event with this interview's calendar UID.") from None
        logger.info("Google event %s already existed; the insert was a repeat", event_id)
        return _result(event, "created")

    def patch_event(self, *, access_token: str, calendar_id: str, event_id: str, draft: EventDraft,
                    send_updates: str = "all") -> ProviderEventResult:
        """Bring the event in line with `draft` (time, place, people, text); Google sends the updates."""
        events = self.service(access_token=access_token).events()
        current = self._get_event(events, calendar_id, event_id)
        if current.get("status") == "cancelled":
            raise EventNotFound("The event was deleted from the Google calendar.")
        body = _event_body(draft, current.get("attendees"))
        try:
            event = events.patch(calendarId=calendar_id, eventId=event_id, body=body,
                                 sendUpdates=send_updates).execute()
        except HttpError as error:
            if error.status_code in (404, 410):
                raise EventNotFound("The event was deleted from the Google calendar.") from None
            raise error_from_http(error, "updating the event") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to update the event.") from None
        return _result(event, "updated")

    def cancel_event(self, *, access_token: str, calendar_id: str, event_id: str,
                     send_updates: str = "all") -> ProviderEventResult:
        """Delete the event; Google sends the cancellations. An event that is already gone counts as cancelled."""
        events = self.service(access_token=access_token).events()
        try:
            events.delete(calendarId=calendar_id, eventId=event_id, sendUpdates=send_updates).execute()
        except HttpError as error:
            if error.status_code not in (404, 410):  # 410: deleted before (by us on a lost answer, or by someone)
                raise error_from_http(error, "cancelling the event") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to cancel the event.") from None
        return ProviderEventResult(provider_event_id=event_id, status="cancelled")

    def _get_event(self, events, calendar_id: str, event_id: str) -> dict:
        try:
            return events.get(calendarId=calendar_id, eventId=event_id).execute()
        except HttpError as error:
            if error.status_code in (404, 410):
                raise EventNotFound("The event is not in the Google calendar.") from None
            raise error_from_http(error, "reading the event") from None
        except (httplib2.HttpLib2Error, OSError):
            raise TemporaryProviderError("Could not reach Google to read the event.") from None
