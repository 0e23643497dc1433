"""Audit entries said in their reader's language.

An entry's `summary` is a record: written once, in English, for logs and the admin site. Pages (the audit log, an
interview's history) instead say each entry in the reader's language and time zone, built when it is shown from
the entry's structured `data`, its actor and its action.

The core cannot import the apps above it, so each app registers how its actions are said, from its
AppConfig.ready():

    register_sentences({
        "job.created": Sentence(lambda said: _("%(actor)s created the job “%(job)s”") % {...},
                                needs=("job",), needs_actor=True),
    })

An entry that lacks what its sentence needs (written before the data was stored, or its actor's account since
deleted) is shown by its summary. The sentences are plain text: templates escape them, names included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import AuditEntry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Said:
    """What a sentence is built from: the entry's data, and its actor's name as the account says it now."""

    entry: AuditEntry
    data: Mapping
    actor: str


@dataclass(frozen=True)
class Sentence:
    """How one action is said, in the active language.

    `says`: what happened. `about`: names the object it happened to, for pages that list entries about many
    objects (the audit log); the object's own page leaves it out. `by`: who acted, for an object's own page, when
    it is not simply the actor ("" for no one to name). `needs`: the data keys without which the summary is shown
    instead; `needs_actor`: the sentence names the actor.
    """

    says: Callable[[Said], str]
    needs: tuple[str, ...] = ()
    needs_actor: bool = False
    about: Callable[[Said], str] | None = None
    by: Callable[[Said], str | None] | None = None


_SENTENCES: dict[str, Sentence] = {}


def register_sentences(sentences: Mapping[str, Sentence]) -> None:
    """Called once per app at start-up. Two apps saying the same action differently is a mistake in the code."""
    for action, sentence in sentences.items():
        if _SENTENCES.get(action, sentence) is not sentence:
            raise ImproperlyConfigured(f"The audit action {action!r} has a sentence already.")
        _SENTENCES[action] = sentence


def is_said(action: str) -> bool:
    return action in _SENTENCES


def said_actions() -> frozenset[str]:
    return frozenset(_SENTENCES)


def _said(entry: AuditEntry) -> tuple[Sentence, Said] | None:
    sentence = _SENTENCES.get(entry.action)
    data = entry.data if isinstance(entry.data, dict) else {}
    if sentence is None or any(key not in data for key in sentence.needs):
        return None
    actor = entry.actor.display_name if entry.actor_id and entry.actor else ""
    if sentence.needs_actor and not actor:
        return None
    return sentence, Said(entry=entry, data=data, actor=actor)


def _built(build: Callable[[Said], str | None], said: Said) -> str | None:
    try:
        return build(said)
    except (KeyError, TypeError, ValueError, AttributeError):
        # Data of an unexpected shape (edited by hand, or an older form): the page still shows, with the summary.
        logger.exception("Audit entry %s (%s) could not be said", said.entry.pk, said.entry.action)
        return None


def audit_sentence(entry: AuditEntry, *, on_its_page: bool = False) -> str:
    """The entry in the active language. `on_its_page`: shown on the page of the object it is about, which need
    not be named again (an interview's history)."""
    found = _said(entry)
    fallback = (entry.data.get("detail") if on_its_page and isinstance(entry.data, dict) else "") or entry.summary
    if found is None:
        return fallback
    sentence, said = found
    text = _built(sentence.says, said)
    if text is None:
        return fallback
    if not on_its_page and sentence.about is not None:
        about = _built(sentence.about, said)
        if about:
            text = pgettext("an audit entry: what it is about, and what happened", "%(about)s: %(what)s") % {
                "about": about, "what": text}
    return text


def audit_by(entry: AuditEntry) -> str:
    """Who did it, for the page of the object it is about: "by Dana", "by the system", or "" where the sentence
    names them itself."""
    sentence = _SENTENCES.get(entry.action)
    if sentence is not None and sentence.by is not None:
        data = entry.data if isinstance(entry.data, dict) else {}
        actor = entry.actor.display_name if entry.actor_id and entry.actor else ""
        phrase = _built(sentence.by, Said(entry=entry, data=data, actor=actor))
        if phrase is not None:
            return phrase
    if entry.actor_id and entry.actor:
        return _("by %(who)s") % {"who": entry.actor.display_name}
    return _("by the system")


def moment_words(value: str, *, zone: bool = True) -> str:
    """A moment stored as an ISO string, as the reader says it in their own zone, with that zone's name (`zone`;
    said once where a sentence names two moments): "Tuesday, 1 December 2026, 10:00 (Europe/Berlin)",
    "Dienstag, 1. Dezember 2026, 10:00 Uhr (Europe/Berlin)"."""
    moment = date_format(timezone.localtime(datetime.fromisoformat(value)), "DATETIME_FORMAT")
    if not zone:
        return moment
    return pgettext("a moment and the time zone it is told in", "%(moment)s (%(zone)s)") % {
        "moment": moment, "zone": timezone.get_current_timezone_name()}


def listed(values) -> str:
    """Names or words in a row, as both languages write them: "Dana, Lee"."""
    return ", ".join(str(value) for value in values)
