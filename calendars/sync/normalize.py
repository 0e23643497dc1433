"""Provider data made storable, in one provider-neutral place: every synced event and calendar passes through here.

Whatever a calendar holds reaches us, and anyone who can put an event into a member's calendar (an invitation from
outside lands there by itself) chooses its title, organizer and attendees. So control characters go (PostgreSQL
refuses a NUL, and none belongs in one line of text), text is cut to its column's size, values of a fixed vocabulary
that we do not know map to a known one, and what still cannot be stored faithfully (no usable id, no usable time) is
skipped and counted: one event never costs its page. Sizes come from the models, so a column and its limit never
drift apart.
"""

import logging
import re
from dataclasses import replace
from datetime import date, datetime
from functools import cache

from recruitee.zones import is_known_zone

from ..models import Calendar, Event
from ..providers.base import ProviderCalendar
from .types import EVENT_STATUSES, RESPONSES, EventData, Page

logger = logging.getLogger(__name__)

# What malformed provider data raises while one item is read: a missing key, a wrong type, a date that does not
# exist, a year out of range. Parsers catch exactly these around one item.
UNREADABLE = (KeyError, ValueError, TypeError, AttributeError, ArithmeticError)

# Finding free time needs no guest list of thousands; interviews, whose responses we show, have a handful.
MAX_ATTENDEES = 250

_AS_SPACE = re.compile("[\t\n\v\f\r\x85\u2028\u2029]")
# The other C0 and C1 controls, and lone surrogates (a JSON "\ud800" escape), which cannot even be encoded.
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_RESPONSES = frozenset(RESPONSES.values())


def clean_text(value: object, max_length: int | None = None) -> str:
    """One line of storable text: controls removed (line breaks and tabs become spaces), cut to `max_length`
    characters (PostgreSQL counts characters, not bytes, so a cut never splits one)."""
    if not isinstance(value, str):
        return ""
    # Nearly all text is printable as it comes: one C-speed check, and the regular expressions only for the rest.
    text = value if value.isprintable() else _DROPPED.sub("", _AS_SPACE.sub(" ", value))
    return text[:max_length] if max_length else text


@cache
def _max_length(model: type, name: str) -> int:
    return model._meta.get_field(name).max_length


def _event_limit(name: str) -> int:
    return _max_length(Event, name)


def usable_id(value: object, max_length: int) -> str | None:
    """An identity is stored exactly as given or not at all: altering one could merge two events."""
    if isinstance(value, str) and value and len(value) <= max_length and clean_text(value) == value:
        return value
    return None


def clean_zone(value: object, max_length: int) -> str:
    """An IANA zone name we can use, or "" (readers then fall back to the calendar's zone)."""
    name = clean_text(value)
    return name if len(name) <= max_length and is_known_zone(name) else ""


def _instant(value: object) -> datetime | None:
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def _day(value: object) -> date | None:
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def clean_attendees(value: object) -> list[dict]:
    if not isinstance(value, list):
        return []
    email_limit, name_limit = _event_limit("organizer_email"), _event_limit("organizer_name")
    cleaned = []
    for person in value:
        if len(cleaned) == MAX_ATTENDEES:
            break
        if isinstance(person, dict):
            response = person.get("response")
            cleaned.append({
                "email": clean_text(person.get("email"), email_limit),
                "name": clean_text(person.get("name"), name_limit),
                "response": response if response in _RESPONSES else "needs_action",
            })
    return cleaned


def clean_event(event: EventData) -> EventData | None:
    """The event as it can be stored, or None when it cannot be stored faithfully."""
    event_id = usable_id(event.provider_event_id, _event_limit("provider_event_id"))
    start, end = _instant(event.start), _instant(event.end)
    if event_id is None or start is None or end is None:
        return None
    return replace(
        event,
        ical_uid=clean_text(event.ical_uid, _event_limit("ical_uid")),
        title=clean_text(event.title, _event_limit("title")),
        end=max(start, end),
        time_zone=clean_zone(event.time_zone, _event_limit("time_zone")),
        all_day=bool(event.all_day),
        start_date=_day(event.start_date),
        end_date=_day(event.end_date),
        status=event.status if event.status in EVENT_STATUSES else "confirmed",
        is_busy=bool(event.is_busy),
        organizer_email=clean_text(event.organizer_email, _event_limit("organizer_email")),
        organizer_name=clean_text(event.organizer_name, _event_limit("organizer_name")),
        attendees=clean_attendees(event.attendees),
        series_id=clean_text(event.series_id, _event_limit("series_id")),
        provider_updated_at=_instant(event.provider_updated_at),
    )


def clean_page(page: Page) -> Page:
    """The page with every event normalised; what cannot be stored is left out and counted in `skipped`."""
    events, skipped = [], page.skipped
    for event in page.events:
        cleaned = clean_event(event)
        if cleaned is None:
            skipped += 1
            logger.warning("Skipped a synced event that cannot be stored (id %r)", str(event.provider_event_id)[:64])
        else:
            events.append(cleaned)
    id_limit = _event_limit("provider_event_id")
    # An id no row can have (a NUL in it, say) removes nothing, and the database would refuse to even look for it.
    removed = [event_id for event_id in page.removed_ids if usable_id(event_id, id_limit)]
    return Page(events=events, removed_ids=removed, next_page=page.next_page, cursor=page.cursor, skipped=skipped)


def skip_unreadable(page: Page, item: object, error: Exception) -> None:
    """Count an item of a provider's page that could not be read; its page goes on without it."""
    page.skipped += 1
    item_id = item.get("id") if isinstance(item, dict) else None
    logger.warning("Skipped an event the provider sent that could not be read (id %r): %s",
                   clean_text(item_id, 64), type(error).__name__)


def clean_calendar(item: ProviderCalendar) -> ProviderCalendar | None:
    """A calendar from the provider's list as it can be stored, or None when its id cannot be."""
    if usable_id(item.calendar_id, _max_length(Calendar, "provider_calendar_id")) is None:
        return None
    return replace(
        item,
        name=clean_text(item.name, _max_length(Calendar, "name")),
        time_zone=clean_zone(item.time_zone, _max_length(Calendar, "time_zone")),
        color=clean_text(item.color, _max_length(Calendar, "color")),
        is_primary=bool(item.is_primary),
        can_edit=bool(item.can_edit),
    )
