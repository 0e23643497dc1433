"""One sync at a time per connection: a lock row with a heartbeat, and requests that arrive meanwhile are kept."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
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
    word = {"sync_requested": True, **({"sync_full_requested": True} if full else {})}
    for _attempt in range(3):
        taken = rows.filter(Q(sync_lock_token="") | Q(sync_heartbeat_at__lt=stale_before)).update(
            sync_lock_token=token, sync_heartbeat_at=now, sync_started_at=now,
            sync_pages_fetched=0, sync_events_stored=0, sync_requested=False,
            # This sync reads everything a waiting one would: the next notification may queue another.
            sync_queued_at=None,
        )
        if taken:
            return token
        # Leave word only while the holder still holds the lock: one that has just released it would never read
        # it, so try to take the lock again instead.
        if rows.exclude(sync_lock_token="").update(**word):
            return None
    return None


def claim_queued(connection_id: int) -> bool:
    """True when the caller may queue a sync: none is waiting to start yet. One conditional UPDATE decides, so of
    many notifications at once exactly one wins. The mark is cleared when a sync takes the lock (`acquire`); a task
    that finds the lock taken leaves the mark, because the running sync will run once more anyway. A mark older
    than CALENDAR_SYNC_QUEUED_STALE_SECONDS belongs to a task that was lost and no longer holds anything back.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.CALENDAR_SYNC_QUEUED_STALE_SECONDS)
    return bool(
        CalendarConnection.objects.filter(pk=connection_id)
        .filter(Q(sync_queued_at__isnull=True) | Q(sync_queued_at__lt=stale_before))
        .update(sync_queued_at=now)
    )


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
    with transaction.atomic():
        # The row lock keeps word left between this read and the release from being lost (see `acquire`).
        requested = rows.select_for_update().values_list("sync_requested", "sync_full_requested").first()
        rows.update(sync_lock_token="", sync_heartbeat_at=None, **also)
    return (bool(requested[0]), bool(requested[1])) if requested else (False, False)
