"""Show every date and time in the signed-in person's own time zone."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from recruitee.zones import zone_or_utc


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = zone_or_utc(user.time_zone) if user is not None and user.is_authenticated else None
        with timezone.override(zone):
            return self.get_response(request)
