"""Show every date and time in the signed-in person's own time zone."""

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                zone = zoneinfo.ZoneInfo(user.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
        with timezone.override(zone):
            return self.get_response(request)
