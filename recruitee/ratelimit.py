"""A fixed-window request counter in Django's cache (Redis in production and CI, so every web process shares it).

Each (bucket, key) pair counts hits per window of `seconds`; the hit that goes past `limit` and every later one in
that window are refused with the seconds left until the window ends (a Retry-After). Keys are hashed: a link's
token or a client's address is never written to the cache as it is.

A cache that fails lets the request through (logged): an outage of Redis must not close public pages.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    limit: int  # hits allowed per window; 0 (or less) means no limit
    seconds: int  # the window's length


def hit(bucket: str, key: str, rate: Rate, *, now: float | None = None) -> int | None:
    """Count one hit of `key` in `bucket`. None when it is allowed, else the seconds until it will be again."""
    if rate.limit <= 0 or rate.seconds <= 0:
        return None
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:32]
    cache_key = f"ratelimit:{bucket}:{digest}:{window}"
    try:
        # add() is a no-op when the key exists; incr() is atomic in Redis. The key outlives its window a little, so
        # a hit at the very end of it never finds the key gone between add and incr.
        cache.add(cache_key, 0, timeout=rate.seconds + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=rate.seconds + 5)
            count = 1
    except Exception:  # noqa: BLE001 -- any cache failure: count nothing rather than refuse everyone
        logger.warning("Rate limit %s: the cache did not answer; the request goes through", bucket, exc_info=True)
        return None
    if count <= rate.limit:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))
