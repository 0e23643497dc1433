"""Access tokens for provider calls, written once for sync, push and event writes.

A token is refreshed under the connection's row lock, so workers that need a fresh one at the same moment make one
token call. A provider that refuses a token before its expiry (a revoked session, clock skew) gets one refresh and
one repeat of the call: a 401 means the provider did nothing, so the repeat cannot double anything.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from recruitee.emails import queue_system_email, render_system_email
from recruitee.tenancy.languages import member_language, speaking
from recruitee.tenancy.services import audit_record, in_english

from .models import CalendarConnection
from .providers import get_provider
from .providers.base import ReconnectNeeded, Unauthorized

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Refresh a little before the provider's expiry so a token never dies in the middle of a request.
EXPIRY_MARGIN = timedelta(minutes=2)


def _notify_reconnect_needed(connection: CalendarConnection) -> None:
    """In the owner's language, whoever's request (or which worker) found the grant dead."""
    path = reverse("calendars:index", kwargs={"company_slug": connection.company.slug})
    with speaking(member_language(connection.member)):
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
            with in_english():
                summary = f"{connection} needs to be reconnected: {reason}"
            audit_record(company=connection.company, actor=None, action="calendar.token_failed",
                         summary=summary, connection_id=connection.pk, provider=connection.provider,
                         account=connection.account_email)
        connection.save()


def _still_valid(connection: CalendarConnection) -> bool:
    expires_at = connection.token_expires_at
    return bool(expires_at and expires_at - EXPIRY_MARGIN > datetime.now(UTC))


def connection_access_token(*, connection_id: int, loaded: CalendarConnection | None = None) -> str:
    """A valid access token, refreshed first when needed.

    The row lock makes two workers that need a fresh token at the same moment make one token call: the second
    waits for the lock and then finds the token the first one stored. `loaded` is the connection as the caller
    read it moments ago: while its token is valid, that one serves without reading the row again.
    """
    if loaded is not None and loaded.pk == connection_id and not loaded.needs_reconnect and _still_valid(loaded):
        return loaded.access_token
    with transaction.atomic():
        connection = CalendarConnection.objects.select_for_update().get(pk=connection_id)
        if connection.needs_reconnect:
            raise ReconnectNeeded(connection.last_error or "This calendar needs to be reconnected.")
        if _still_valid(connection):
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
                # Microsoft rotates refresh tokens on every use; Google sends none and keeps the old one valid.
                connection.refresh_token = tokens.refresh_token or connection.refresh_token
                connection.token_expires_at = tokens.expires_at
                connection.save(update_fields=["access_token", "refresh_token", "token_expires_at", "updated_at"])
                return tokens.access_token
    connection_mark_reconnect_needed(connection_id=connection_id, reason=str(error))
    raise error


class FreshToken:
    """A connection's access token for one piece of work, refreshed at most once after the provider refuses it.

    `run(call)` is the whole policy for one call. Work that makes its calls elsewhere (the sync fetches pages in
    threads that must not touch the database) reads `value` and calls `refresh_after_401` itself.
    """

    def __init__(self, connection_id: int, *, loaded: CalendarConnection | None = None):
        self.connection_id = connection_id
        self.value = connection_access_token(connection_id=connection_id, loaded=loaded)
        self._refreshed = False

    def refresh_after_401(self, refused: Unauthorized) -> str:
        """The provider refused `value` before its expiry: refresh once; a second refusal is final (`refused`)."""
        if self._refreshed:
            raise refused
        self._refreshed = True
        logger.info("Calendar connection %s: access token refused before its expiry; refreshing", self.connection_id)
        CalendarConnection.objects.filter(pk=self.connection_id).update(token_expires_at=None)
        self.value = connection_access_token(connection_id=self.connection_id)
        return self.value

    def run(self, call: Callable[[str], T]) -> T:
        try:
            return call(self.value)
        except Unauthorized as refused:
            self.refresh_after_401(refused)
        return call(self.value)


def with_fresh_token(connection_id: int, call: Callable[[str], T]) -> T:
    """Run `call(access_token)` with a valid token; after a 401, refresh once and run it again."""
    return FreshToken(connection_id).run(call)
