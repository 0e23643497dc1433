"""A connection's list of calendars, as the provider lists them: stored when connecting and on every full sync."""

from ..models import Calendar, CalendarConnection
from ..providers.base import ProviderCalendar
from .normalize import clean_calendar


def calendars_store(connection: CalendarConnection, calendars: list[ProviderCalendar]) -> None:
    existing = {c.provider_calendar_id: c for c in Calendar.objects.filter(connection=connection)}
    seen = set()
    # Names, zones and colours are the provider's data: normalised like synced events (a calendar whose id
    # cannot be stored is left out).
    for item in filter(None, map(clean_calendar, calendars)):
        seen.add(item.calendar_id)
        row = existing.get(item.calendar_id) or Calendar(
            company=connection.company, connection=connection, provider_calendar_id=item.calendar_id,
            # New calendars: only the primary counts as busy until the member says otherwise.
            is_selected=item.is_primary,
        )
        row.name, row.time_zone, row.color = item.name, item.time_zone, item.color
        row.is_primary, row.can_edit = item.is_primary, item.can_edit
        row.save()
    Calendar.objects.filter(connection=connection).exclude(provider_calendar_id__in=seen).delete()
