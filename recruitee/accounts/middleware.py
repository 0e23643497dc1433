"""Show every date and time in the signed-in person's own time zone, and every word in their own language."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from recruitee.zones import zone_or_utc


class UserTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = zone_or_utc(user.time_zone) if user is not None and user.is_authenticated else None
        with timezone.override(zone):
            return self.get_response(request)


def chosen_language(user) -> str | None:
    """The language a member chose on their profile, or None: then the browser's Accept-Language decides."""
    if user is None or not user.is_authenticated:
        return None
    return user.language if user.language in dict(settings.LANGUAGES) else None


class UserLanguageMiddleware:
    """After LocaleMiddleware (which went by the browser) and authentication: a member's own choice wins.

    LocaleMiddleware still finishes the response (Content-Language, Vary: Accept-Language) with the language that is
    active then, which is this one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(getattr(request, "user", None))
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
