"""Writes for calendar connections: connect, refresh tokens, select calendars, disconnect."""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from recruitee.emails import queue_system_email, render_system_email
from recruitee.tenancy.models import Membership
from recruitee.tenancy.services import audit_record

from .models import Calendar, CalendarConnection
from .providers import get_provider
from .providers.base import Grant, ProviderCalendar, ProviderError, ReconnectNeeded
from .sync.normalize import clean_calendar, clean_text

logger = logging.getLogger(__name__)

# Refresh a little before the provider's expiry so a token never dies in the middle of a request.
EXPIRY_MARGIN = timedelta(minutes=2)


def calendars_store(connection: CalendarConnection, calendars: list[ProviderCalendar]) -> None:
    existing = {c.provider_calendar_id: c for c in Calendar.objects.filter(connection=connection)}
    seen = set()
    # Names, zones and colours are the provider's data: normalised like synced events (a calendar whose id
    # cannot be stored is left out).
    for item in filter(None, map(clean_calendar, calendars)):
        seen.add(item.calendar_id)
        row = existing.get(item.calendar_id) or Calendar(
            company=connection.company, connection=connection, provider_calendar_id=item.calendar_id,
            # New calendars: only the primary counts as busy until the member says otherwise.
            is_selected=item.is_primary,
        )
        row.name, row.time_zone, row.color = item.name, item.time_zone, item.color
        row.is_primary, row.can_edit = item.is_primary, item.can_edit
        row.save()
    Calendar.objects.filter(connection=connection).exclude(provider_calendar_id__in=seen).delete()


@transaction.atomic
def connection_store(*, member: Membership, provider: str, grant: Grant, calendars: list[ProviderCalendar]):
    """Create the connection, or update it when this member connects the same account again."""
    connection = (
        CalendarConnection.objects.select_for_update()
        .filter(member=member, provider=provider, account_id=grant.account.account_id)
        .first()
    )
    created = connection is None
    if created:
        connection = CalendarConnection(
            company=member.company, member=member, provider=provider, account_id=grant.account.account_id
        )
    connection.account_email = clean_text(grant.account.email, 254)
    connection.account_name = clean_text(grant.account.name, 200)  # Google's is the primary calendar's name
    connection.access_token = grant.tokens.access_token
    if grant.tokens.refresh_token or created:
        connection.refresh_token = grant.tokens.refresh_token
    connection.token_expires_at = grant.tokens.expires_at
    connection.scopes = grant.tokens.scopes
    connection.status = CalendarConnection.Status.ACTIVE
    connection.last_error, connection.last_error_class, connection.last_error_at = "", "", None
    connection.reconnect_notified_at = None
    connection.save()
    calendars_store(connection, calendars)
    _queue_sync_after_commit(connection, full=True, renew_push=not created)
    verb = "connected" if created else "reconnected"
    audit_record(
        company=member.company, actor=member.user, action=f"calendar.{verb}",
        summary=f"{member.user} {verb} {connection}", connection_id=connection.pk,
    )
    return connection, created


def _queue_sync_after_commit(connection: CalendarConnection, *, full: bool, renew_push: bool = False) -> None:
    # Imported here: the tasks module imports the sync engine, which imports this module.
    from .tasks import push_channels_reconcile_task, queue_sync

    def queue() -> None:
        queue_sync(connection, full=full)
        push_channels_reconcile_task.delay(
            company_id=connection.company_id, connection_id=connection.pk, renew_all=renew_push
        )

    transaction.on_commit(queue)


@transaction.atomic
def calendars_select(*, connection: CalendarConnection, selected_ids: set[int]) -> None:
    calendars = Calendar.objects.filter(connection=connection)
    calendars.filter(pk__in=selected_ids).update(is_selected=True)
    calendars.exclude(pk__in=selected_ids).update(is_selected=False)
    # Newly selected calendars need their first sync; deselected ones get their events removed by it.
    _queue_sync_after_commit(connection, full=False)


def connection_sync_request(*, connection: CalendarConnection, full: bool = False) -> None:
    from .tasks import queue_sync

    CalendarConnection.objects.filter(pk=connection.pk).update(last_error="", last_error_class="", last_error_at=None)
    transaction.on_commit(lambda: queue_sync(connection, full=full))


def _notify_reconnect_needed(connection: CalendarConnection) -> None:
    path = reverse("calendars:index", kwargs={"company_slug": connection.company.slug})
    email = render_system_email("calendar_reconnect", {
        "connection": str(connection), "company_name": connection.company.name,
        "reconnect_url": settings.SITE_URL + path,
    })
    queue_system_email(to=[connection.member.user.email], email=email, company=connection.company)


def connection_mark_reconnect_needed(*, connection_id: int, reason: str) -> None:
    """Stop using a dead grant, tell its owner once, and keep a record."""
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().select_related("member__user", "company") \
            .get(pk=connection_id)
        connection.status = CalendarConnection.Status.RECONNECT_NEEDED
        connection.last_error, connection.last_error_class = reason, "ReconnectNeeded"
        connection.last_error_at = timezone.now()
        first_time = connection.reconnect_notified_at is None
        if first_time:
            connection.reconnect_notified_at = timezone.now()
            _notify_reconnect_needed(connection)
            audit_record(company=connection.company, actor=None, action="calendar.token_failed",
                         summary=f"{connection} needs to be reconnected: {reason}", connection_id=connection.pk)
        connection.save()


def connection_access_token(*, connection_id: int) -> str:
    """A valid access token, refreshed first when needed.

    The row lock makes two workers that need a fresh token at the same moment make one token call: the second
    waits for the lock and then finds the token the first one stored.
    """
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().get(pk=connection_id)
        if connection.needs_reconnect:
            raise ReconnectNeeded(connection.last_error or "This calendar needs to be reconnected.")
        expires_at = connection.token_expires_at
        if expires_at and expires_at - EXPIRY_MARGIN > datetime.now(UTC):
            return connection.access_token
        if not connection.refresh_token:
            error = ReconnectNeeded("The provider gave no refresh token; connect the calendar again.")
        else:
            try:
                tokens = get_provider(connection.provider).refresh(refresh_token=connection.refresh_token)
            except ReconnectNeeded as dead:
                error = dead
            else:
                connection.access_token = tokens.access_token
                connection.refresh_token = tokens.refresh_token or connection.refresh_token
                connection.token_expires_at = tokens.expires_at
                connection.save(update_fields=["access_token", "refresh_token", "token_expires_at", "updated_at"])
                return tokens.access_token
    connection_mark_reconnect_needed(connection_id=connection_id, reason=str(error))
    raise error


def connection_disconnect(*, connection: CalendarConnection, actor, reason: str = "") -> None:
    """Revoke what the provider lets us revoke, then forget the tokens and everything synced, whatever happened.

    `reason` says why in the audit log when the owner did not ask for it themselves."""
    from .push import push_channels_close  # push imports this module

    try:
        push_channels_close(connection=connection)
    except Exception:  # noqa: BLE001 — closing channels is a courtesy; disconnecting must happen regardless
        logger.exception("Closing the push channels of connection %s failed", connection.pk)
    provider = get_provider(connection.provider)
    try:
        token = connection.refresh_token or connection.access_token
        if token:
            provider.revoke(token=token)
    except ProviderError as error:
        logger.warning("Revoking connection %s at %s failed: %s", connection.pk, connection.provider, error)
    except Exception:  # noqa: BLE001 — a revoke failure (even a decryption error) must never keep the tokens
        logger.exception("Revoking connection %s failed unexpectedly", connection.pk)
    with transaction.atomic():
        summary = f"{actor} disconnected {connection}" + (f" ({reason})" if reason else "")
        audit_record(company=connection.company, actor=actor, action="calendar.disconnected",
                     summary=summary, connection_id=connection.pk)
        CalendarConnection.objects.filter(pk=connection.pk, company=connection.company).delete()
