"""Incoming push notifications: check them against our channels, then ask for at most one sync per connection.

Anyone can call the webhooks, so the work per request is bounded: every notification of a request is checked with
one query, the first one that fails refuses the whole request, and however many genuine notifications arrive, each
connection gets one sync waiting (see `tasks.queue_sync_unless_queued`).
"""

import hmac
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from recruitee.params import parse_id

from .models import Provider, PushChannel
from .tasks import queue_sync_unless_queued

MAX_HANDLE_LENGTH = PushChannel._meta.get_field("channel_id").max_length


@dataclass(frozen=True)
class Notification:
    """One notification as a provider sends it: our channel's id, the secret we gave the provider, and whether
    something changed (Google's first message only confirms the channel). `company_id` is None when the handle
    cannot be ours."""

    provider: str
    company_id: int | None
    channel_id: str
    secret: str
    changed: bool


class ForgedNotification(Exception):
    """A notification names no channel of ours, or carries the wrong secret."""

    def __init__(self, *, position: int, total: int):
        super().__init__(f"item {position} of {total} names an unknown channel or carries a wrong secret")


def _plausible(handle: str) -> bool:
    # Longer values cannot be ours (the columns hold 255 characters); control characters (NUL above all, which
    # PostgreSQL refuses in a query) never appear in what we hand out.
    return len(handle) <= MAX_HANDLE_LENGTH and handle.isprintable()


def _company_id(channel_id: str, handle: str, separator: str) -> int | None:
    """The company our handle names (channel ids and client states start with it, see push.py), or None when
    the notification cannot be one of ours."""
    if not (_plausible(channel_id) and _plausible(handle)):
        return None
    return parse_id(handle.split(separator, 1)[0])


def google_notification(*, channel_id: str, token: str, resource_state: str) -> Notification:
    return Notification(
        provider=Provider.GOOGLE, company_id=_company_id(channel_id, channel_id, "-"), channel_id=channel_id,
        secret=token, changed=resource_state != "sync",  # "sync" only confirms that the channel exists
    )


def microsoft_notification(*, subscription_id: str, client_state: str) -> Notification:
    return Notification(
        provider=Provider.MICROSOFT, company_id=_company_id(subscription_id, client_state, "."),
        channel_id=subscription_id, secret=client_state, changed=True,
    )


def _channels(notifications: Sequence[Notification]) -> dict[tuple[str, int, str], PushChannel]:
    """Every channel the notifications name, in one query across the companies they name."""
    company_ids = sorted({n.company_id for n in notifications if n.company_id is not None})
    if not company_ids:
        return {}
    with scope(company=company_ids):
        rows = PushChannel.objects.filter(
            provider__in={n.provider for n in notifications}, company_id__in=company_ids,
            channel_id__in={n.channel_id for n in notifications if n.company_id is not None},
        ).only("pk", "company_id", "connection_id", "provider", "channel_id", "secret")
        return {(c.provider, c.company_id, c.channel_id): c for c in rows}


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # JSON may carry lone surrogates; they must not crash the check


def notifications_receive(*, notifications: Sequence[Notification]) -> None:
    """Accept a request's notifications, or raise ForgedNotification for the first that fails its check (then
    nothing is noted or queued). A change queues a sync for its connection unless one is waiting already."""
    channels = _channels(notifications)
    checked = []
    for position, notification in enumerate(notifications, start=1):
        channel = channels.get((notification.provider, notification.company_id, notification.channel_id))
        if channel is None or not hmac.compare_digest(_bytes(channel.secret), _bytes(notification.secret)):
            raise ForgedNotification(position=position, total=len(notifications))
        if notification.changed:
            checked.append(channel)
    counts: dict[int, Counter] = defaultdict(Counter)
    connections: dict[int, set[int]] = defaultdict(set)
    for channel in checked:
        counts[channel.company_id][channel.pk] += 1
        connections[channel.company_id].add(channel.connection_id)
    now = timezone.now()
    for company_id, channel_counts in counts.items():
        with scope(company=company_id):
            for channel_pk, count in channel_counts.items():
                PushChannel.objects.filter(pk=channel_pk, company_id=company_id).update(
                    notifications=F("notifications") + count, last_notified_at=now,
                )
            for connection_id in sorted(connections[company_id]):
                queue_sync_unless_queued(company_id=company_id, connection_id=connection_id)
