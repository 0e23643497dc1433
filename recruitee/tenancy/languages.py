"""Which language to write to someone in, and spans of time said the way that language says them.

A page speaks the reader's language (UserLanguageMiddleware); an email is written once, for its recipient, and must
be rendered in their language whoever's request sends it:

    with speaking(member_language(member)):
        email = render_system_email(...)
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import npgettext_lazy

from .models import Company, Membership


def _offered(*languages: str) -> str:
    offered = dict(settings.LANGUAGES)
    for language in languages:
        if language in offered:
            return language
    return settings.LANGUAGE_CODE


def company_language(company: Company) -> str:
    """The company's default language: for people who have no account (yet) to choose one, such as an invitee."""
    return _offered(company.default_language)


def member_language(membership: Membership) -> str:
    """The language to write to a member in: their own choice, else their company's default.

    Always one of settings.LANGUAGES, even for a value stored before a language was dropped from the list.
    """
    return _offered(membership.user.language, membership.company.default_language)


def speaking(language: str) -> translation.override:
    """Render what follows in `language` (words, and dates in its formats), whatever the request speaks."""
    return translation.override(language)


# Spans of time as they follow "ago", "for" and "in": German needs the dative plural there ("vor 2 Tagen",
# "seit 3 Monaten"), which Django's own timesince strings (nominative: "2 Tage") do not give.
_SPANS = {
    "year": npgettext_lazy("span of time", "%(num)d year", "%(num)d years", "num"),
    "month": npgettext_lazy("span of time", "%(num)d month", "%(num)d months", "num"),
    "week": npgettext_lazy("span of time", "%(num)d week", "%(num)d weeks", "num"),
    "day": npgettext_lazy("span of time", "%(num)d day", "%(num)d days", "num"),
    "hour": npgettext_lazy("span of time", "%(num)d hour", "%(num)d hours", "num"),
    "minute": npgettext_lazy("span of time", "%(num)d minute", "%(num)d minutes", "num"),
}


def span_since(moment: datetime, *, depth: int = 1) -> str:
    """How long ago `moment` was, in the largest unit(s): "3 hours" ("3 Stunden"), for "for …" and "… ago"."""
    return timesince(moment, depth=depth, time_strings=_SPANS)


def span_until(moment: datetime, *, depth: int = 1) -> str:
    """How long until `moment`, in the largest unit(s): "23 hours" ("23 Stunden"), for "in …"."""
    return timeuntil(moment, depth=depth, time_strings=_SPANS)


def ago(moment: datetime) -> str:
    """"just now", "3 hours ago", "2 days ago" ("gerade eben", "vor 2 Tagen"): in the largest unit, as people say
    it."""
    if timezone.now() - moment < timedelta(minutes=1):
        return _("just now")
    return _("%(span)s ago") % {"span": span_since(moment)}
