"""The OAuth round trip: pending flows live in the session, keyed by a single-use `state`."""

import secrets
import time

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

SESSION_KEY = "calendar_oauth_pending"
# A person has this long to finish the provider's consent screen.
PENDING_TTL_SECONDS = 15 * 60
MAX_PENDING = 5


class OAuthStateError(Exception):
    """The callback's state is missing, unknown, expired, reused, or belongs to the other provider."""


def redirect_uri(provider: str) -> str:
    # Built from SITE_URL only, never from the request's Host header.
    return settings.SITE_URL + reverse(f"calendar_oauth:callback-{provider}")


def pending_start(request: HttpRequest, *, provider: str, company_slug: str, member_id: int) -> str:
    state = secrets.token_urlsafe(32)
    now = time.time()
    pending = {
        key: value for key, value in request.session.get(SESSION_KEY, {}).items()
        if now - value["created"] < PENDING_TTL_SECONDS
    }
    # Keep the newest few: several tabs may be connecting at once, but the session must not grow without bound.
    for stale in sorted(pending, key=lambda key: pending[key]["created"])[: max(0, len(pending) - MAX_PENDING + 1)]:
        del pending[stale]
    pending[state] = {"provider": provider, "company": company_slug, "member": member_id, "created": now, "flow": {}}
    request.session[SESSION_KEY] = pending
    return state


def pending_attach_flow(request: HttpRequest, state: str, flow: dict) -> None:
    pending = request.session[SESSION_KEY]
    pending[state]["flow"] = flow
    request.session[SESSION_KEY] = pending


def pending_take(request: HttpRequest, *, state: str | None, provider: str) -> dict:
    """Remove and return the pending flow for `state`: a state works once, in the session that started it."""
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    if entry is None:
        raise OAuthStateError(_("This connection attempt has expired or was already used. Please start again."))
    if time.time() - entry["created"] > PENDING_TTL_SECONDS:
        raise OAuthStateError(_("This connection attempt took too long and has expired. Please start again."))
    if entry["provider"] != provider:
        raise OAuthStateError(_("The answer came from a different provider than the one you started with."))
    return entry
