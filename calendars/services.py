"""Writes for calendar connections: connect, select calendars, ask for a sync, disconnect.

(Tokens, and marking a dead grant, live in tokens.py: the sync, push and event writes need them too.)
"""

import logging

from django.db import transaction

from recruitee.accounts.models import User
from recruitee.tenancy.models import Membership
from recruitee.tenancy.services import audit_record, in_english

from .models import Calendar, CalendarConnection
from .providers import get_provider
from .providers.base import Grant, ProviderCalendar, ProviderError
from .push import push_channels_close
from .sync.calendar_list import calendars_store
from .sync.normalize import clean_text
from .tasks import queue_push_reconcile, queue_sync

logger = logging.getLogger(__name__)


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
    with in_english():  # the provider's name is a translated label; the audit trail is written in English
        summary = f"{member.user} {verb} {connection}"
    audit_record(
        company=member.company, actor=member.user, action=f"calendar.{verb}",
        summary=summary, connection_id=connection.pk, provider=connection.provider, account=connection.account_email,
    )
    return connection, created


def _queue_sync_after_commit(connection: CalendarConnection, *, full: bool, renew_push: bool = False) -> None:
    queue_sync(connection, full=full)
    queue_push_reconcile(connection, renew_all=renew_push)


def _names(calendars: list[Calendar]) -> str:
    return ", ".join(calendar.name or "(no name)" for calendar in calendars)


@transaction.atomic
def calendars_select(*, connection: CalendarConnection, selected_ids: set[int], actor: User | None = None) -> None:
    """Choose which of the connection's calendars count as busy time. `actor` defaults to the connection's owner,
    the only one who may choose."""
    calendars = list(Calendar.objects.select_for_update().filter(connection=connection).order_by("name", "pk"))
    turned_on = [c for c in calendars if c.pk in selected_ids and not c.is_selected]
    turned_off = [c for c in calendars if c.pk not in selected_ids and c.is_selected]
    if turned_on or turned_off:
        Calendar.objects.filter(pk__in=[c.pk for c in turned_on]).update(is_selected=True)
        Calendar.objects.filter(pk__in=[c.pk for c in turned_off]).update(is_selected=False)
        actor = actor or connection.member.user
        changes = [f"turned on {_names(turned_on)}" if turned_on else "",
                   f"turned off {_names(turned_off)}" if turned_off else ""]
        with in_english():
            summary = f"{actor} changed the busy calendars of {connection}: {'; '.join(filter(None, changes))}"
        audit_record(
            company=connection.company, actor=actor, action="calendar.selection_changed",
            summary=summary,
            connection_id=connection.pk, turned_on=[c.name for c in turned_on],
            turned_off=[c.name for c in turned_off], provider=connection.provider, account=connection.account_email,
        )
    # Newly selected calendars need their first sync (and channels); deselected ones get their events removed by it.
    _queue_sync_after_commit(connection, full=False)


def connection_sync_request(*, connection: CalendarConnection, full: bool = False) -> None:
    CalendarConnection.objects.filter(pk=connection.pk).update(last_error="", last_error_class="", last_error_at=None)
    queue_sync(connection, full=full)


def connection_disconnect(*, connection: CalendarConnection, actor, reason: str = "") -> None:
    """Revoke what the provider lets us revoke, then forget the tokens and everything synced, whatever happened.

    `reason` says why in the audit log when the owner did not ask for it themselves."""
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
        with in_english():
            summary = f"{actor} disconnected {connection}" + (f" ({reason})" if reason else "")
        audit_record(company=connection.company, actor=actor, action="calendar.disconnected",
                     summary=summary, connection_id=connection.pk, provider=connection.provider,
                     account=connection.account_email, owner_id=connection.member.user_id,
                     member=connection.member.user.display_name)
        CalendarConnection.objects.filter(pk=connection.pk, company=connection.company).delete()
