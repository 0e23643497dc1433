"""Webhooks the providers call when a calendar changes. They answer fast and leave the work to a worker."""

import json
import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import push

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def google(request: HttpRequest) -> HttpResponse:
    accepted = push.google_notification(
        channel_id=request.headers.get("X-Goog-Channel-ID", ""),
        token=request.headers.get("X-Goog-Channel-Token", ""),
        resource_state=request.headers.get("X-Goog-Resource-State", ""),
    )
    return HttpResponse(status=200 if accepted else 403)


@csrf_exempt
@require_POST
def microsoft(request: HttpRequest) -> HttpResponse:
    validation_token = request.GET.get("validationToken")
    if validation_token is not None:
        # Graph checks the address before creating a subscription: echo the token as plain text within 10 s.
        return HttpResponse(validation_token, content_type="text/plain; charset=utf-8", status=200)
    try:
        items = json.loads(request.body or b"{}").get("value", [])
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    accepted = 0
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        if push.microsoft_notification(
            subscription_id=str(item.get("subscriptionId", "")), client_state=str(item.get("clientState", ""))
        ):
            accepted += 1
        else:
            logger.warning("Refused a Graph notification with an unknown subscription or wrong clientState")
    return HttpResponse(status=202 if accepted or not items else 403)
