"""Reads of synced events for the grids (Find time, the week), with start and end as timestamps.

psycopg parses every datetime it reads in Python: a week of six busy calendars (~800 events) reads about three times
faster as floats, and the grids work with timestamps anyway. Both reads are one query each, bounded on both ends and
served by the same indexes as every read of events (calendars.selectors.overlapping)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import FloatField, Func, QuerySet

from calendars.models import Event
from calendars.selectors import overlapping, selected_calendars
from recruitee.tenancy.models import Membership


class Epoch(Func):
    """A timestamp as seconds since 1970, a float."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps datetimes as UTC text; whole seconds are all the grids need.
        return self.as_sql(compiler, connection, template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra_context)


def _window(members: list[Membership], start: datetime, end: datetime, **only) -> tuple[dict[int, int], QuerySet]:
    """calendar id -> member id of the members' selected calendars, and their events overlapping [start, end)."""
    owners = selected_calendars(members=members)
    rows = (overlapping(Event.objects.filter(company=members[0].company_id if members else None,
                                             calendar_id__in=list(owners), **only), start=start, end=end)
            .exclude(status="cancelled").annotate(starts=Epoch("start"), ends=Epoch("end")))
    return owners, (rows if owners else rows.none())


def busy_events(*, members: list[Membership], start: datetime, end: datetime) -> list[tuple]:
    """(member id, title, start, end, all day, iCalendar UID) of the busy events of the members' selected calendars
    that overlap [start, end). Free (transparent) events are left out: they block nobody."""
    owners, rows = _window(members, start, end, is_busy=True)
    return [(owners[calendar], title, begin, finish, all_day, uid) for calendar, title, begin, finish, all_day, uid
            in rows.values_list("calendar_id", "title", "starts", "ends", "all_day", "ical_uid")]


def window_events(*, members: list[Membership], start: datetime, end: datetime) -> list[tuple]:
    """(id, member id, title, start, end, all day, busy, iCalendar UID) of the events of the members' selected
    calendars that overlap [start, end), in time order."""
    owners, rows = _window(members, start, end)
    return [(pk, owners[calendar], title, begin, finish, all_day, busy, uid)
            for pk, calendar, title, begin, finish, all_day, busy, uid
            in rows.order_by("start", "end", "pk").values_list("pk", "calendar_id", "title", "starts", "ends",
                                                                 "all_day", "is_busy", "ical_uid")]
