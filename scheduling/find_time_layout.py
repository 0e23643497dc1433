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

from .availability import Day, Grid, Row, Slot


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
    busy_aria: str

    @classmethod
    def now(cls) -> "_Words":
        return cls(
            you=escape(_("You")), organizer=escape(pgettext("the person who organizes an event", "organizer")),
            unknown=escape(_("availability unknown")), pick=escape(_("Pick a time")),
            free_hint=escape(_("green: free for everyone")),
            free_tip=_("%(time)s · free for everyone"), busy_tip=_("%(time)s · someone is busy or off"),
            free_aria=_("Start %(day)s at %(time)s"), busy_aria=_("Start %(day)s at %(time)s (conflict)"),
        )


def _name(row: Row, viewer_id: int, words: _Words) -> str:
    name = words.you if row.member.pk == viewer_id else escape(row.member.user.display_name)
    badge = f' <span class="badge text-bg-light border">{words.organizer}</span>' if row.is_organizer else ""
    unknown = "" if row.connected else f' · <span class="ft-unknown">{words.unknown}</span>'
    return (f'<div class="ft-name">{name}{badge}<span class="ft-sub">{escape(row.zone)}{unknown}</span></div>')


def _day(day: Day, *, hours: str, viewer_id: int, submit: bool, words: _Words) -> str:
    kind = 'type="submit" name="use_slot"' if submit else 'type="button"'
    iso = f"{day.day:%Y-%m-%d}"
    label = day.label

    def said(slot: Slot) -> str:  # the button's tooltip and its name for a screen reader
        tip, aria = (words.free_tip, words.free_aria) if slot.free else (words.busy_tip, words.busy_aria)
        return (f'title="{escape(tip % {"time": slot.label})}" '
                f'aria-label="{escape(aria % {"day": label, "time": slot.label})}"')

    buttons = "".join(
        f'<button class="{slot.css}" data-time="{slot.label}" data-date="{iso}" {kind} value="{iso}T{slot.label}" '
        f'{said(slot)}>{slot.label}</button>'
        for slot in day.slots
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
    for day in grid.days:
        day.markup = mark_safe(_day(day, hours=hours, viewer_id=viewer_id, submit=submit,  # noqa: S308 -- escaped
                                    words=words))
