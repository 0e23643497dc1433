"""Push notifications: keep provider channels/subscriptions in step with the selected calendars. What arrives on
them is checked in notifications.py."""

import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Calendar, CalendarConnection, Provider, PushChannel
from .providers import get_provider
from .providers.base import ProviderError
from .services import connection_access_token

logger = logging.getLogger(__name__)


def _address(provider: str) -> str:
    return settings.SITE_URL + reverse(f"calendar_hooks:{provider}")


def _open_google(connection: CalendarConnection, calendar: Calendar, access_token: str) -> None:
    channel_id = f"{connection.company_id}-{uuid.uuid4().hex}"
    token = secrets.token_urlsafe(32)
    channel = get_provider(Provider.GOOGLE).watch(
        access_token=access_token, calendar_id=calendar.provider_calendar_id, channel_id=channel_id, token=token,
        address=_address("google"), ttl_seconds=settings.CALENDAR_PUSH_TTL_SECONDS,
    )
    expiration_ms = int(channel.get("expiration") or 0)
    expires_at = (
        datetime.fromtimestamp(expiration_ms / 1000, tz=UTC) if expiration_ms
        else timezone.now() + timedelta(seconds=settings.CALENDAR_PUSH_TTL_SECONDS)
    )
    PushChannel.objects.create(
        company=connection.company, connection=connection, calendar=calendar, provider=Provider.GOOGLE,
        channel_id=channel_id, resource_id=channel.get("resourceId", ""), secret=token, expires_at=expires_at,
    )


def _open_microsoft(connection: CalendarConnection, access_token: str) -> None:
    client_state = f"{connection.company_id}.{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + timedelta(minutes=settings.CALENDAR_PUSH_GRAPH_TTL_MINUTES)
    subscription = get_provider(Provider.MICROSOFT).subscribe(
        access_token=access_token, client_state=client_state, address=_address("microsoft"), expires_at=expires_at,
    )
    PushChannel.objects.create(
        company=connection.company, connection=connection, provider=Provider.MICROSOFT,
        channel_id=subscription["id"], secret=client_state, expires_at=expires_at,
    )


def _close(channel: PushChannel, access_token: str | None) -> None:
    try:
        if access_token:
            adapter = get_provider(channel.provider)
            if channel.provider == Provider.GOOGLE:
                adapter.stop_watch(access_token=access_token, channel_id=channel.channel_id,
                                   resource_id=channel.resource_id)
            else:
                adapter.unsubscribe(access_token=access_token, subscription_id=channel.channel_id)
    except ProviderError as error:
        # An orphaned channel expires by itself; its notifications find no channel and are refused.
        logger.warning("Could not close %s: %s", channel, error)
    channel.delete()


def push_channels_reconcile(*, connection: CalendarConnection, renew_all: bool = False) -> None:
    """Open what is missing (or about to expire) and close what is no longer wanted.

    `renew_all` replaces every channel: after a reconnect the old ones may have died with the old grant.
    """
    if not settings.CALENDAR_PUSH_ENABLED or connection.needs_reconnect:
        return
    access_token = connection_access_token(connection_id=connection.pk)
    if renew_all:
        for channel in PushChannel.objects.filter(connection=connection):
            _close(channel, access_token)
    renew_before = timezone.now() + timedelta(seconds=settings.CALENDAR_PUSH_RENEW_BEFORE_SECONDS)
    channels = list(PushChannel.objects.filter(connection=connection))
    if connection.provider == Provider.GOOGLE:
        selected = {c.pk: c for c in Calendar.objects.filter(connection=connection, is_selected=True)}
        covered = set()
        for channel in channels:
            if channel.calendar_id in selected and channel.expires_at > renew_before:
                covered.add(channel.calendar_id)
        # Google channels cannot be extended: open the replacement first, then close the old one.
        for calendar_id, calendar in selected.items():
            if calendar_id not in covered:
                _open_google(connection, calendar, access_token)
        for channel in channels:
            if channel.calendar_id not in covered:
                _close(channel, access_token)
        return
    live = [c for c in channels if c.expires_at > timezone.now()]
    for channel in channels:
        if channel not in live:
            channel.delete()
    if not live:
        _open_microsoft(connection, access_token)
        return
    for channel in live[1:]:
        _close(channel, access_token)
    channel = live[0]
    if channel.expires_at <= renew_before:
        expires_at = timezone.now() + timedelta(minutes=settings.CALENDAR_PUSH_GRAPH_TTL_MINUTES)
        get_provider(Provider.MICROSOFT).renew_subscription(
            access_token=access_token, subscription_id=channel.channel_id, expires_at=expires_at
        )
        channel.expires_at = expires_at
        channel.save(update_fields=["expires_at"])


def push_channels_close(*, connection: CalendarConnection) -> None:
    try:
        access_token = connection_access_token(connection_id=connection.pk)
    except ProviderError:
        access_token = None
    for channel in PushChannel.objects.filter(connection=connection):
        _close(channel, access_token)
