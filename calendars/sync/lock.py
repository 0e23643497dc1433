"""One sync at a time per connection: a lock row with a heartbeat, and requests that arrive meanwhile are kept."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from ..models import CalendarConnection


class LockLost(Exception):
    """Another worker took over this sync (ours was presumed dead); stop without writing more."""


def acquire(connection_id: int, *, full: bool) -> str | None:
    """Take the lock and return its token, or None.

    When another sync holds the lock, the request is recorded on the row instead, and that sync runs once more
    when it ends: nothing asked for is lost, and two syncs never run side by side. A full sync asked for while
    none ran stays recorded in `sync_full_requested` for the lock holder to honour (see `take_full_request`).
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.CALENDAR_SYNC_LOCK_STALE_SECONDS)
    token = uuid.uuid4().hex
    rows = CalendarConnection.objects.filter(pk=connection_id)
    taken = rows.filter(Q(sync_lock_token="") | Q(sync_heartbeat_at__lt=stale_before)).update(
        sync_lock_token=token, sync_heartbeat_at=now, sync_started_at=now,
        sync_pages_fetched=0, sync_events_stored=0, sync_requested=False,
    )
    if not taken:
        changes = {"sync_requested": True}
        if full:
            changes["sync_full_requested"] = True
        rows.update(**changes)
        return None
    return token


def take_full_request(connection_id: int) -> None:
    """The holder is doing a full sync: a full sync asked for earlier is thereby done."""
    CalendarConnection.objects.filter(pk=connection_id).update(sync_full_requested=False)


def heartbeat(connection_id: int, token: str, *, pages: int = 0, events: int = 0, count_change: int = 0) -> None:
    """Progress for the page just written, in that page's transaction; `count_change` keeps events_count exact
    without counting a big calendar after every small sync."""
    updated = CalendarConnection.objects.filter(pk=connection_id, sync_lock_token=token).update(
        sync_heartbeat_at=timezone.now(),
        sync_pages_fetched=F("sync_pages_fetched") + pages,
        sync_events_stored=F("sync_events_stored") + events,
        events_count=F("events_count") + count_change,
    )
    if not updated:
        raise LockLost(f"The sync lock of connection {connection_id} was taken over.")


def release(connection_id: int, token: str, **also) -> tuple[bool, bool]:
    """Drop the lock (setting `also` in the same write); return whether another sync, and whether a full one,
    was asked for meanwhile."""
    rows = CalendarConnection.objects.filter(pk=connection_id, sync_lock_token=token)
    requested = rows.values_list("sync_requested", "sync_full_requested").first()
    rows.update(sync_lock_token="", sync_heartbeat_at=None, **also)
    return (bool(requested[0]), bool(requested[1])) if requested else (False, False)
