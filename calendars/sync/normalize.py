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
from itertools import chain
from operator import attrgetter, ge, itemgetter

from ..providers.base import EVENT_STATUSES, RESPONSES, EventData, Page, ProviderCalendar

logger = logging.getLogger(__name__)

# Finding free time needs no guest list of thousands; interviews, whose responses we show, have a handful.
MAX_ATTENDEES = 250

_AS_SPACE = re.compile("[\t\n\v\f\r\x85\u2028\u2029]")
# The other C0 and C1 controls, and lone surrogates (a JSON "\ud800" escape), which cannot even be encoded.
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
_RESPONSES = frozenset(RESPONSES.values())
_ATTENDEE_KEYS = ("email", "name", "response")


def clean_text(value: object, max_length: int | None = None) -> str:
    """One line of storable text: controls removed (line breaks and tabs become spaces), cut to `max_length`
    characters (PostgreSQL counts characters, not bytes, so a cut never splits one)."""
    if not isinstance(value, str):
        return ""
    # Nearly all text is printable as it comes: one C-speed check, and the regular expressions only for the rest.
    text = value if value.isprintable() else _DROPPED.sub("", _AS_SPACE.sub(" ", value))
    return text[:max_length] if max_length else text


# The sizes of the events' text columns, from the model, or as given to a worker process (which reads pages
# without Django: see worker.py).
SIZED_FIELDS = ("provider_event_id", "ical_uid", "title", "organizer_email", "organizer_name", "series_id",
                "time_zone")
_event_sizes: dict[str, int] = {}


def event_sizes() -> dict[str, int]:
    if not _event_sizes:
        from ..models import Event  # here, not above: the worker process has no models (see worker.py)

        _event_sizes.update({name: Event._meta.get_field(name).max_length for name in SIZED_FIELDS})
    return _event_sizes


def use_event_sizes(sizes: dict[str, int]) -> None:
    """In a worker process: the sizes its parent read from the model."""
    _event_sizes.update({name: int(sizes[name]) for name in SIZED_FIELDS})


# The zone names recruitee.zones knows, or as given to a worker process (which then need not import that module and
# the form widgets beside the names: half its start-up).
_known_zones: set[str] = set()


def known_zones() -> set[str]:
    if not _known_zones:
        from recruitee.zones import known_zone_names  # here, not above: see _known_zones

        _known_zones.update(known_zone_names())
    return _known_zones


def use_known_zones(names: list[str]) -> None:
    """In a worker process: the zone names its parent knows."""
    _known_zones.update(names)


def is_known_zone(name: str) -> bool:
    return name in known_zones()


def _event_limit(name: str) -> int:
    return event_sizes()[name]


@cache
def _calendar_limit(name: str) -> int:
    from ..models import Calendar  # see event_sizes

    return Calendar._meta.get_field(name).max_length


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
    if _page_already_clean([event]):
        return event
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


_CHECKED = ("provider_event_id", "ical_uid", "title", "organizer_email", "organizer_name", "series_id", "time_zone",
            "start", "end", "all_day", "is_busy", "start_date", "end_date", "status", "provider_updated_at",
            "attendees")
_checked_fields = attrgetter(*_CHECKED)


def _texts_storable(values: tuple, max_length: int) -> bool:
    # Column-wise, at C speed: strings only, none too long, and printable together exactly when each one is.
    return (not values or (set(map(type, values)) == {str} and max(map(len, values)) <= max_length
                           and "".join(values).isprintable()))


def _page_already_clean(events: list[EventData]) -> bool:
    """True when every event of the page is already storable as it is, so that clean_event would leave each one
    unchanged. Run over whole columns of the page, at C speed, rather than field by field: a full sync passes every
    event of a calendar through here, and copying each one cost a third of the sync's own CPU time."""
    if not events:
        return True
    limits = event_sizes()
    column = dict(zip(_CHECKED, zip(*map(_checked_fields, events), strict=True), strict=True))
    if not all(_texts_storable(column[name], limit) for name, limit in limits.items()) or "" in column[
            "provider_event_id"]:
        return False
    starts, ends = column["start"], column["end"]
    if (set(map(type, starts)) | set(map(type, ends)) != {datetime}
            or None in map(attrgetter("tzinfo"), starts) or None in map(attrgetter("tzinfo"), ends)
            or not all(map(ge, ends, starts))):
        return False
    if (set(map(type, column["all_day"])) | set(map(type, column["is_busy"])) != {bool}
            or not set(map(type, column["start_date"])) | set(map(type, column["end_date"])) <= {date, type(None)}
            or not set(column["status"]) <= set(EVENT_STATUSES)
            or not set(map(type, column["provider_updated_at"])) <= {datetime, type(None)}
            or None in (updated.tzinfo for updated in column["provider_updated_at"] if updated is not None)):
        return False
    zones = set(column["time_zone"]) - {""}
    if not all(is_known_zone(zone) for zone in zones):
        return False
    lists = column["attendees"]
    if set(map(type, lists)) != {list} or max(map(len, lists)) > MAX_ATTENDEES:
        return False
    people = list(chain.from_iterable(lists))
    if not people:
        return True
    if set(map(type, people)) != {dict} or set(map(len, people)) != {3}:
        return False
    try:
        emails, names, responses = (list(map(itemgetter(key), people)) for key in _ATTENDEE_KEYS)
    except KeyError:
        return False
    return (set(responses) <= _RESPONSES and _texts_storable(emails, limits["organizer_email"])
            and _texts_storable(names, limits["organizer_name"]))


def clean_page(page: Page) -> Page:
    """The page with every event normalised; what cannot be stored is left out and counted in `skipped`."""
    id_limit = _event_limit("provider_event_id")
    # An id no row can have (a NUL in it, say) removes nothing, and the database would refuse to even look for it.
    removed = [event_id for event_id in page.removed_ids if usable_id(event_id, id_limit)]
    if _page_already_clean(page.events):  # the common case, checked column by column: nothing to copy
        return Page(events=page.events, removed_ids=removed, next_page=page.next_page, cursor=page.cursor,
                    skipped=page.skipped)
    events, skipped = [], page.skipped
    for event in page.events:
        cleaned = clean_event(event)
        if cleaned is None:
            skipped += 1
            logger.warning("Skipped a synced event that cannot be stored (id %r)", str(event.provider_event_id)[:64])
        else:
            events.append(cleaned)
    return Page(events=events, removed_ids=removed, next_page=page.next_page, cursor=page.cursor, skipped=skipped)


def clean_calendar(item: ProviderCalendar) -> ProviderCalendar | None:
    """A calendar from the provider's list as it can be stored, or None when its id cannot be."""
    if usable_id(item.calendar_id, _calendar_limit("provider_calendar_id")) is None:
        return None
    return replace(
        item,
        name=clean_text(item.name, _calendar_limit("name")),
        time_zone=clean_zone(item.time_zone, _calendar_limit("time_zone")),
        color=clean_text(item.color, _calendar_limit("color")),
        is_primary=bool(item.is_primary),
        can_edit=bool(item.can_edit),
    )
