"""Placeholders in recruiter-written email templates: `{candidate_name}` and nothing else.

Recruiters write the subject and body of invitation emails. That text is data, never template source: it is not
given to the Django template engine, Jinja, `str.format` or `eval`, all of which reach attributes
(`{candidate.user.password}`), indexes or tags. Here a placeholder is a bare name looked up in an allowlist, `{{`
and `}}` are literal braces, and every value is a string the caller has already formatted for the recipient
(dates in their time zone, names as they should read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


@dataclass(frozen=True)
class Placeholder:
    name: str
    description: str  # lazily translated: the editor's list shows it in the reader's language
    sample: str  # shown in previews and in the placeholder list next to the editor


class UnknownPlaceholder(ValueError):
    """A template names placeholders that the allowlist does not have; `names` lists them in order."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(f"{{{name}}}" for name in names)
        super().__init__(ngettext("Unknown placeholder: %(names)s", "Unknown placeholders: %(names)s", len(names))
                         % {"names": listed})


# A message is read by a person: a template that repeats a long value ({note} a few thousand times) must not turn
# into megabytes of preview, outbox row and email.
MAX_RENDERED_CHARS = 100_000


class RenderedTooLong(ValueError):
    """The template with these values comes out longer than MAX_RENDERED_CHARS."""

    def __init__(self, limit: int = MAX_RENDERED_CHARS) -> None:
        self.limit = limit
        super().__init__(_("With these values the message would be too long (more than %(limit)s characters). Use "
                           "long placeholders such as {note} fewer times, or shorten what they hold.")
                         % {"limit": f"{limit:,}"})


_REGISTRY = (
    Placeholder("candidate_name", gettext_lazy("The candidate's full name"), "Alex Morgan"),
    Placeholder("candidate_first_name", gettext_lazy("The candidate's first name"), "Alex"),
    Placeholder("candidate_email", gettext_lazy("The candidate's email address"), "alex.morgan@example.com"),
    Placeholder("candidate_phone", gettext_lazy("The candidate's phone number"), "+49 30 1234567"),
    Placeholder("job_title", gettext_lazy("The job the candidate applied for"), "Backend Engineer"),
    Placeholder("company_name", gettext_lazy("Your company's name"), "Acme Inc."),
    Placeholder("event_title", gettext_lazy("The event's title"), "Interview: Backend Engineer"),
    Placeholder("event_type", gettext_lazy("The event's type, capitalized to start a subject or a line: Interview, "
                                           "Phone screen, Video call or On-site interview"), "Video call"),
    Placeholder("event_type_lower", gettext_lazy("The event's type in small letters, for the middle of a sentence "
                                                 "(“your {event_type_lower}”)"), "video call"),
    Placeholder("event_date", gettext_lazy("The event's date in the recipient's time zone"), "Monday, 29 March 2027"),
    Placeholder("event_time", gettext_lazy("The start time in the recipient's time zone"), "10:00"),
    Placeholder("event_end_time", gettext_lazy("The end time in the recipient's time zone"), "11:00"),
    Placeholder("event_duration", gettext_lazy("How long the event lasts"), "1 hour"),
    Placeholder("time_zone", gettext_lazy("The recipient's time zone"), "Europe/Berlin (CEST, UTC+02:00)"),
    Placeholder("previous_event_date", gettext_lazy("Before a reschedule: the old date"), "Friday, 26 March 2027"),
    Placeholder("previous_event_time", gettext_lazy("Before a reschedule: the old start time"), "14:00"),
    Placeholder("location", gettext_lazy("Where the event takes place"), "Acme Inc., Main Street 1, Berlin"),
    Placeholder("video_link", gettext_lazy("The video call link"), "https://meet.example.com/abc-defg-hij"),
    Placeholder("interviewers", gettext_lazy("The interviewers' names"), "Dana Scott, Lee Chen"),
    Placeholder("organizer_name", gettext_lazy("The name of the person who scheduled the event"), "Jordan Lee"),
    Placeholder("organizer_email", gettext_lazy("The organizer's email address"), "jordan.lee@acme.example"),
    Placeholder("note", gettext_lazy("The note written for this event"), "Please bring a photo ID for the front desk."),
    Placeholder("cancellation_reason", gettext_lazy("Cancellations: why the event was cancelled, if you say"),
                "An interviewer is unavailable"),
    Placeholder("cancellation_note", gettext_lazy("Cancellations: your note to the candidate, if you write one"),
                "We would still like to meet you and will suggest a new time this week."),
    Placeholder("scheduling_link", gettext_lazy("Scheduling links: the page where the candidate picks a time"),
                "https://recruit.example.com/book/3q2-Xk9v…/"),
    Placeholder("scheduling_deadline", gettext_lazy("Scheduling links: the last day the link offers times"),
                "Friday, 9 April 2027"),
)
PLACEHOLDERS: dict[str, Placeholder] = {placeholder.name: placeholder for placeholder in _REGISTRY}
# What only a cancellation has, and what only a scheduling link has: editors leave them out where they are empty.
CANCELLATION_ONLY = frozenset({"cancellation_reason", "cancellation_note"})
LINK_ONLY = frozenset({"scheduling_link", "scheduling_deadline"})


def placeholders_for(*, cancelling: bool = False, link: bool = False) -> list[Placeholder]:
    """The placeholders an editor offers: those that have a value in its kind of email."""
    left_out = (set() if cancelling else CANCELLATION_ONLY) | (set() if link else LINK_ONLY)
    return [placeholder for name, placeholder in PLACEHOLDERS.items() if name not in left_out]

# `{{` and `}}` first, so that `{{name}}` is the literal text "{name}"; then a single brace pair with no brace
# inside, which is a placeholder whatever it holds (only registered names are accepted). A brace that belongs to
# neither stays literal text: harmless, and kinder to a recruiter than an error about a stray "}".
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def _tokens(template: str) -> Iterator[tuple[str | None, str]]:
    """(None, literal text) and (name, "") pairs, in order."""
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            yield None, template[position : match.start()]
        token = match.group(0)
        if token in ("{{", "}}"):
            yield None, token[0]
        else:
            yield match.group(1), ""
        position = match.end()
    if position < len(template):
        yield None, template[position:]


def find_unknown(template: str) -> list[str]:
    """What the form reports as "Unknown placeholder: {name}": each unregistered name once, in order.

    Anything that is not a registered bare name is unknown: `{candidate.user.password}`, `{0}`, `{a[b]}`, `{x!r}`,
    `{name:>10}`, `{% debug %}`.
    """
    unknown: list[str] = []
    for name, _text in _tokens(template):
        if name is not None and name not in PLACEHOLDERS and name not in unknown:
            unknown.append(name)
    return unknown


def literal_text(template: str) -> str:
    """What the recruiter wrote themselves: the template without its placeholders."""
    return "".join(text for name, text in _tokens(template) if name is None)


def render_text(template: str, values: Mapping[str, str], *, limit: int = MAX_RENDERED_CHARS) -> str:
    """Plain text with the values inserted as they are (no second pass: a value's own braces stay literal).

    A registered placeholder without a value renders as nothing, so an on-site interview's `{video_link}` is
    simply empty. Raises RenderedTooLong as soon as the result would pass `limit` characters.
    """
    unknown = find_unknown(template)
    if unknown:
        raise UnknownPlaceholder(unknown)
    parts, size = [], 0
    for name, text in _tokens(template):
        piece = text if name is None else values.get(name, "")
        size += len(piece)
        if size > limit:
            raise RenderedTooLong(limit)
        parts.append(piece)
    return "".join(parts)


def render_subject(template: str, values: Mapping[str, str]) -> str:
    """One line: every run of whitespace, CR and LF included, becomes one space (a header must not break)."""
    return " ".join(render_text(template, values).split())


# http(s) only: `javascript:`, `data:` and friends never become links. Quotes and angle brackets end a URL.
_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\")]}"


def _without_trailing_punctuation(url: str) -> str:
    """"https://x.test/a" for "https://x.test/a).": sentence punctuation after a link is not part of it."""
    while url and url[-1] in _TRAILING_PUNCTUATION:
        # A closing parenthesis that matches one inside the URL (Wikipedia style) belongs to it.
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _linkified(line: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(line):
        url = _without_trailing_punctuation(match.group(0))
        if url.endswith("://"):
            continue
        parts.append(escape(line[position : match.start()]))
        parts.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>')
        position = match.start() + len(url)
    parts.append(escape(line[position:]))
    return "".join(parts)


def render_html(template: str, values: Mapping[str, str]) -> SafeString:
    """HTML paragraphs: blank lines separate <p>s, single line breaks become <br>, http(s) URLs become links.

    The template is rendered as plain text first and only then turned into HTML, so the recruiter's literal text
    and the values are escaped alike (a URL built from text and a value, `https://meet.test/{room}`, is one link).
    """
    text = render_text(template, values).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text)]
    html = "\n".join(
        "<p>" + "<br>\n".join(_linkified(line) for line in block.split("\n")) + "</p>"
        for block in paragraphs
        if block.strip()
    )
    # Every character of recruiter text and of the values went through escape() above; the only markup is ours.
    return mark_safe(html)  # noqa: S308


def sample_values() -> dict[str, str]:
    """Every placeholder's sample value, for previews before an event exists."""
    return {name: placeholder.sample for name, placeholder in PLACEHOLDERS.items()}
