"""Webhooks the providers call when a calendar changes. They answer fast and leave the work to a worker.

They are public, so what one request can make us do is bounded: the body is refused (413) before more than
CALENDAR_WEBHOOK_MAX_BYTES of it are read, a Graph batch may hold at most CALENDAR_WEBHOOK_MAX_ITEMS items, all of
them are checked with one query, and a refusal is one log line, however many items the request held.
"""

import json
import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import notifications
from .notifications import ForgedNotification, Notification

logger = logging.getLogger(__name__)


class TooLarge(Exception):
    """More than a webhook accepts: answered with 413."""


def _refused(provider: str, status: int, reason: object) -> HttpResponse:
    # One line per request, however many items it held.
    logger.warning("Refused a %s notification request: %s", provider, reason)
    return HttpResponse(status=status)


def _bounded_body(request: HttpRequest) -> bytes:
    """The body, read only when its declared length is within the cap, and never more than the cap."""
    limit = settings.CALENDAR_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0  # Django reads nothing of a body with an unreadable length either
    if declared > limit:
        raise TooLarge(f"a body of {declared} bytes")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise TooLarge(f"a body of more than {limit} bytes")
    return body


def webhook(view: Callable[[HttpRequest, bytes], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A provider's webhook: POST only, no CSRF token (the channel's secret authenticates it), a bounded body."""

    @wraps(view)
    def bounded(request: HttpRequest) -> HttpResponse:
        try:
            body = _bounded_body(request)
        except TooLarge as error:
            return _refused(view.__name__, 413, f"{error} (limit {settings.CALENDAR_WEBHOOK_MAX_BYTES} bytes)")
        return view(request, body)

    return csrf_exempt(require_POST(bounded))


def _receive(provider: str, received: list[Notification], *, accepted: int) -> HttpResponse:
    try:
        notifications.notifications_receive(notifications=received)
    except ForgedNotification as forged:
        return _refused(provider, 403, forged)
    return HttpResponse(status=accepted)


@webhook
def google(request: HttpRequest, body: bytes) -> HttpResponse:
    notification = notifications.google_notification(
        channel_id=request.headers.get("X-Goog-Channel-ID", ""),
        token=request.headers.get("X-Goog-Channel-Token", ""),
        resource_state=request.headers.get("X-Goog-Resource-State", ""),
    )
    return _receive("google", [notification], accepted=200)


def _graph_items(body: bytes) -> list[Notification]:
    """The notifications of a Graph POST: {"value": [{"subscriptionId": ..., "clientState": ...}, ...]}."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: "[[[[...", nested deeper than the parser goes
        raise ValueError("the body is not JSON") from None
    items = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise ValueError('the body has no "value" list of notifications')
    if len(items) > settings.CALENDAR_WEBHOOK_MAX_ITEMS:
        raise TooLarge(f"{len(items)} items")
    received = []
    for position, item in enumerate(items, start=1):
        subscription_id = item.get("subscriptionId") if isinstance(item, dict) else None
        client_state = item.get("clientState") if isinstance(item, dict) else None
        if not isinstance(subscription_id, str) or not isinstance(client_state, str):
            raise ValueError(f"item {position} of {len(items)} has no subscriptionId and clientState")
        received.append(notifications.microsoft_notification(subscription_id=subscription_id,
                                                             client_state=client_state))
    return received


@webhook
def microsoft(request: HttpRequest, body: bytes) -> HttpResponse:
    validation_token = request.GET.get("validationToken")
    if validation_token is not None:
        # Graph checks the address before creating a subscription: echo the token as plain text within 10 s.
        return HttpResponse(validation_token, content_type="text/plain; charset=utf-8", status=200)
    try:
        received = _graph_items(body)
    except TooLarge as error:
        return _refused("microsoft", 413, f"{error} (limit {settings.CALENDAR_WEBHOOK_MAX_ITEMS})")
    except ValueError as error:
        return _refused("microsoft", 400, str(error))
    return _receive("microsoft", received, accepted=202)
