"""Find time's days as HTML, written once in Python.

Five days of six people are some 150 start buttons and a few hundred spans: printed through the template engine (a
lookup, an escape and a node per value) they cost the page tens of milliseconds, written here about one (issue 11).
Names, titles and the translated words are escaped; everything else is our own class names and digits. Positions
are classes (static/css/week-slots.css): the strict CSP allows no inline style. The words are looked up once a grid
(`_Words`), not once a button.
"""

from dataclasses import dataclass
from html import escape  # the standard library's: a few hundred short strings a page, without Django's lazy check

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .availability import SLOT_MINUTES, SLOTS, STEP_MINUTES, Day, Grid, Row, Slot

_NOT_FREE = frozenset({"busy", "interview", "off"})  # the spans that keep a person from a start time


@dataclass(frozen=True, slots=True)
class _Words:
    """The grid's fixed words in the reader's language, escaped, and the formats of its slot labels."""

    you: str
    organizer: str
    unknown: str
    pick: str
    free_hint: str
    free_tip: str  # %(time)s
    busy_tip: str
    free_aria: str  # %(day)s, %(time)s
    busy_aria: str  # %(day)s, %(time)s, %(free)s, %(busy)s
    past_aria: str  # %(day)s, %(time)s: a start nobody is busy at that is still not offered (in the past)
    you_said: str  # "You" unescaped, for the names inside a button's name
    nobody: str

    @classmethod
    def now(cls) -> "_Words":
        return cls(
            you=escape(_("You")), organizer=escape(pgettext("the person who organizes an event", "organizer")),
            unknown=escape(_("availability unknown")), pick=escape(_("Pick a time")),
            free_hint=escape(_("green: free for everyone")),
            free_tip=_("%(time)s · free for everyone"), busy_tip=_("%(time)s · someone is busy or off"),
            free_aria=_("Start %(day)s at %(time)s · everyone is free"),
            busy_aria=_("Start %(day)s at %(time)s (conflict) · free: %(free)s · busy or off: %(busy)s"),
            past_aria=_("Start %(day)s at %(time)s (conflict)"),
            you_said=_("You"), nobody=pgettext("nobody is free", "nobody"),
        )


def _name(row: Row, viewer_id: int, words: _Words) -> str:
    name = words.you if row.member.pk == viewer_id else escape(row.member.user.display_name)
    badge = f' <span class="badge text-bg-light border">{words.organizer}</span>' if row.is_organizer else ""
    unknown = "" if row.connected else f' · <span class="ft-unknown">{words.unknown}</span>'
    return (f'<div class="ft-name">{name}{badge}<span class="ft-sub">{escape(row.zone)}{unknown}</span></div>')


def _taken(row: Row) -> bytearray:
    """The quarter hours of the day's window in which a person cannot start: busy, an interview or off, as drawn."""
    quarters = bytearray(SLOTS)
    for span in row.spans:
        if span.kind in _NOT_FREE:
            end = min(SLOTS, span.left + span.width)
            quarters[span.left:end] = b"\x01" * (end - span.left)
    return quarters


def _day(day: Day, *, hours: str, viewer_id: int, submit: bool, words: _Words, length: int) -> str:
    kind = 'type="submit" name="use_slot"' if submit else 'type="button"'
    iso = f"{day.day:%Y-%m-%d}"
    label = day.label
    # Who is free at a start with a conflict, for the button's name ("free: Dana Schmidt · busy or off: You"):
    # each person's quarter hours once a day, then a slice per person and start.
    people = [(words.you_said if row.member.pk == viewer_id else row.member.user.display_name, _taken(row))
              for row in day.rows]
    step = STEP_MINUTES // SLOT_MINUTES

    def said(index: int, slot: Slot) -> str:  # the button's tooltip and its name for a screen reader
        if slot.free:
            tip, aria = words.free_tip % {"time": slot.label}, words.free_aria % {"day": label, "time": slot.label}
        else:
            tip = words.busy_tip % {"time": slot.label}
            first = index * step
            free, busy = [], []
            for name, taken in people:
                (busy if any(taken[first:first + length]) else free).append(name)
            aria = (words.busy_aria % {"day": label, "time": slot.label, "free": ", ".join(free) or words.nobody,
                                       "busy": ", ".join(busy)} if busy
                    else words.past_aria % {"day": label, "time": slot.label})
        return f'title="{escape(tip)}" aria-label="{escape(aria)}"'

    buttons = "".join(
        f'<button class="{slot.css}" data-time="{slot.label}" data-date="{iso}" {kind} value="{iso}T{slot.label}" '
        f'{said(index, slot)}>{slot.label}</button>'
        for index, slot in enumerate(day.slots)
    )
    rows = "".join(
        f'<div class="ft-row" data-testid="find-time-row">{_name(row, viewer_id, words)}<div class="ft-track">'
        + "".join(f'<div class="{span.css}" title="{escape(span.tip)}">{escape(span.text)}</div>'
                  for span in row.spans)
        + "</div></div>"
        for row in day.rows
    )
    label = escape(label)
    return (f'<section class="ft-day" data-day="{iso}" data-testid="find-time-day" aria-label="{label}">'
            f'<div class="ft-row ft-day-head"><div class="ft-name"><strong>{label}</strong></div>'
            f'<div class="ft-track ft-hours" aria-hidden="true">{hours}</div></div>'
            f'<div class="ft-row"><div class="ft-name">{words.pick}<span class="ft-sub">{words.free_hint}'
            f'</span></div><div class="ft-track ft-slots">{buttons}</div></div>{rows}</section>')


def finish_grid(grid: Grid, *, viewer_id: int, submit: bool) -> None:
    """Each day's markup. `submit`: the start buttons also work without JavaScript, as submit buttons of step 1
    that fill in the time (the view reads `use_slot`); where no view reads it (reschedule) they are plain buttons."""
    hours = "".join(f"<span>{hour:02d}:00</span>" for hour in grid.hours)
    words = _Words.now()
    length = max(1, -(-int(grid.duration.total_seconds()) // (SLOT_MINUTES * 60)))  # quarter hours, rounded up
    for day in grid.days:
        day.markup = mark_safe(_day(day, hours=hours, viewer_id=viewer_id, submit=submit,  # noqa: S308 -- escaped
                                    words=words, length=length))
