"""Push notifications: keep provider channels in step with the selected calendars. What arrives on them is checked
in notifications.py.

How a provider lays out its channels (Google: one per calendar; Graph: one subscription for the account) and how it
keeps one alive (Google replaces, Graph extends) is the adapter's business; here every provider is handled alike.
"""

import logging
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Calendar, CalendarConnection, PushChannel
from .providers import get_provider
from .providers.base import CalendarProvider, Channel, ProviderError
from .tokens import FreshToken, connection_access_token

logger = logging.getLogger(__name__)


def _address(provider: str) -> str:
    return settings.SITE_URL + reverse(f"calendar_hooks:{provider}")


def _handles(connection: CalendarConnection) -> tuple[str, str]:
    """A new channel id and secret. Both start with the company, so a notification can be scoped before anything
    is looked up (see notifications.py): `<company>-<hex>` (Google's channel id) and `<company>.<random>` (what
    comes back as Google's channel token or Graph's clientState)."""
    return f"{connection.company_id}-{uuid.uuid4().hex}", f"{connection.company_id}.{secrets.token_urlsafe(32)}"


def _channel(row: PushChannel) -> Channel:
    return Channel(channel_id=row.channel_id, secret=row.secret, expires_at=row.expires_at,
                   resource_id=row.resource_id,
                   calendar_id=row.calendar.provider_calendar_id if row.calendar_id else None)


def _open(connection: CalendarConnection, adapter: CalendarProvider, token: FreshToken,
          calendar: Calendar | None) -> None:
    channel_id, secret = _handles(connection)
    opened = token.run(lambda access_token: adapter.open_channel(
        access_token=access_token, calendar_id=calendar.provider_calendar_id if calendar else None,
        channel_id=channel_id, secret=secret, address=_address(connection.provider),
    ))
    PushChannel.objects.create(
        company=connection.company, connection=connection, calendar=calendar, provider=connection.provider,
        channel_id=opened.channel_id, resource_id=opened.resource_id, secret=opened.secret,
        expires_at=opened.expires_at,
    )


def _renew(connection: CalendarConnection, adapter: CalendarProvider, token: FreshToken, row: PushChannel) -> None:
    channel_id, secret = _handles(connection)
    renewed = token.run(lambda access_token: adapter.renew_channel(
        access_token=access_token, channel=_channel(row), address=_address(connection.provider),
        new_channel_id=channel_id, new_secret=secret,
    ))
    row.channel_id, row.resource_id, row.secret = renewed.channel_id, renewed.resource_id, renewed.secret
    row.expires_at = renewed.expires_at
    row.save(update_fields=["channel_id", "resource_id", "secret", "expires_at"])


def _close(adapter: CalendarProvider, row: PushChannel, access_token: str | None) -> None:
    try:
        if access_token and row.expires_at > timezone.now():  # an expired channel is gone at the provider already
            adapter.close_channel(access_token=access_token, channel=_channel(row))
    except ProviderError as error:
        # An orphaned channel expires by itself; its notifications find no channel and are refused.
        logger.warning("Could not close %s: %s", row, error)
    row.delete()


def push_channels_reconcile(*, connection: CalendarConnection, renew_all: bool = False) -> None:
    """Open what is missing, renew what is about to expire, close what is no longer wanted.

    `renew_all` replaces every channel: after a reconnect the old ones may have died with the old grant.
    """
    if not settings.CALENDAR_PUSH_ENABLED or connection.needs_reconnect:
        return
    adapter = get_provider(connection.provider)
    token = FreshToken(connection.pk)
    rows = list(PushChannel.objects.filter(connection=connection).select_related("calendar"))
    if renew_all:
        for row in rows:
            _close(adapter, row, token.value)
        rows = []
    selected = {c.provider_calendar_id: c for c in Calendar.objects.filter(connection=connection, is_selected=True)}
    wanted = adapter.channel_calendars(list(selected))
    now = timezone.now()
    renew_before = now + timedelta(seconds=settings.CALENDAR_PUSH_RENEW_BEFORE_SECONDS)
    kept: dict[str | None, PushChannel] = {}
    unwanted = []
    for row in rows:
        target = row.calendar.provider_calendar_id if row.calendar_id else None
        if target in wanted and target not in kept and row.expires_at > now:
            kept[target] = row
        else:
            unwanted.append(row)
    for target in wanted:
        if target not in kept:
            _open(connection, adapter, token, selected[target] if target is not None else None)
        elif kept[target].expires_at <= renew_before:
            _renew(connection, adapter, token, kept[target])
    # Closed only now: a replacement is open before the channel it replaces goes, so no change falls in between.
    for row in unwanted:
        _close(adapter, row, token.value)


def push_channels_close(*, connection: CalendarConnection) -> None:
    adapter = get_provider(connection.provider)
    try:
        access_token = connection_access_token(connection_id=connection.pk)
    except ProviderError:
        access_token = None
    for row in PushChannel.objects.filter(connection=connection).select_related("calendar"):
        _close(adapter, row, access_token)
