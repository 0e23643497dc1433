"""The client's address, the same for lockouts (django-axes) and allauth's rate limits.

Behind proxies, REMOTE_ADDR is the nearest proxy, so every client would share it. Each proxy appends the address
it saw to X-Forwarded-For, so with TRUSTED_PROXY_COUNT = N (the proxies of ours in front of the web process) the
client is the Nth address from the right: what our outermost proxy saw. Anything further left was written by the
client and is not believed. With 0, X-Forwarded-For is ignored and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # Not through all of our proxies (a health check, a misconfigured proxy): only the peer is known.
        if forwarded:
            logger.warning("X-Forwarded-For has %s of the %s expected addresses", len(forwarded), trusted)
        return remote
    address = _valid(forwarded[-trusted])
    if address is None:
        logger.warning("Our proxy forwarded an address that is not one: %r", forwarded[-trusted][:100])
        return remote
    return address
