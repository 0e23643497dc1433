"""Find time's days as HTML, written once in Python.

Five days of six people are some 150 start buttons and a few hundred spans: printed through the template engine (a
lookup, an escape and a node per value) they cost the page tens of milliseconds, written here about one (issue 11).
Names and titles are escaped; everything else is our own class names, digits and fixed words. Positions are classes
(static/css/week-slots.css): the strict CSP allows no inline style.
"""

from html import escape  # the standard library's: a few hundred short strings a page, without Django's lazy check

from django.utils.safestring import mark_safe

from .availability import Day, Grid, Row


def _name(row: Row, viewer_id: int) -> str:
    name = "You" if row.member.pk == viewer_id else escape(row.member.user.display_name)
    badge = ' <span class="badge text-bg-light border">organizer</span>' if row.is_organizer else ""
    unknown = "" if row.connected else ' · <span class="ft-unknown">availability unknown</span>'
    return (f'<div class="ft-name">{name}{badge}<span class="ft-sub">{escape(row.zone)}{unknown}</span></div>')


def _day(day: Day, *, hours: str, viewer_id: int, submit: bool) -> str:
    kind = 'type="submit" name="use_slot"' if submit else 'type="button"'
    iso = f"{day.day:%Y-%m-%d}"
    buttons = "".join(
        f'<button class="{slot.css}" data-time="{slot.label}" data-date="{iso}" {kind} value="{iso}T{slot.label}" '
        f'title="{slot.tip}" aria-label="{slot.aria}">{slot.label}</button>'
        for slot in day.slots
    )
    rows = "".join(
        f'<div class="ft-row" data-testid="find-time-row">{_name(row, viewer_id)}<div class="ft-track">'
        + "".join(f'<div class="{span.css}" title="{escape(span.tip)}">{escape(span.text)}</div>'
                  for span in row.spans)
        + "</div></div>"
        for row in day.rows
    )
    return (f'<section class="ft-day" data-day="{iso}" data-testid="find-time-day" aria-label="{day.label}">'
            f'<div class="ft-row ft-day-head"><div class="ft-name"><strong>{day.label}</strong></div>'
            f'<div class="ft-track ft-hours" aria-hidden="true">{hours}</div></div>'
            f'<div class="ft-row"><div class="ft-name">Pick a time<span class="ft-sub">green: free for everyone'
            f'</span></div><div class="ft-track ft-slots">{buttons}</div></div>{rows}</section>')


def finish_grid(grid: Grid, *, viewer_id: int, submit: bool) -> None:
    """Each day's markup. `submit`: the start buttons also work without JavaScript, as submit buttons of step 1
    that fill in the time (the view reads `use_slot`); where no view reads it (reschedule) they are plain buttons."""
    hours = "".join(f"<span>{hour:02d}:00</span>" for hour in grid.hours)
    for day in grid.days:
        day.markup = mark_safe(_day(day, hours=hours, viewer_id=viewer_id, submit=submit))  # noqa: S308 -- escaped

