"""Reads of synced calendar data that views share.

Every read of events is bounded by its window on both ends and served by an index, so its cost follows the window
shown, not everything ever synced (calendars.models: NARROW_SPAN, LONG_EVENT, INDEXED_UID).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from recruitee.tenancy.models import Membership

from .models import INDEXED_UID, LONG_EVENT, NARROW_SPAN, Calendar, CalendarConnection, Event


def selected_calendars(*, members: list[Membership]) -> dict[int, int]:
    """calendar id -> member id, for the members' calendars that count towards their busy times."""
    if not members:
        return {}
    return dict(
        Calendar.objects.filter(company=members[0].company_id, is_selected=True, connection__member__in=members)
        .values_list("pk", "connection__member_id")
    )


def overlapping(queryset: QuerySet, *, start: datetime, end: datetime) -> QuerySet:
    """The rows of `queryset` (already narrowed to some calendars) that overlap [start, end), as two index ranges:
    those starting from `start - NARROW_SPAN` on, by (calendar, start); the few longer ones that began earlier and
    are still running, by (calendar, end) in the index of long events."""
    margin = start - NARROW_SPAN
    return queryset.filter(start__lt=end, end__gt=start).filter(
        Q(start__gte=margin) | (LONG_EVENT & Q(start__lt=margin))
    )


def busy_spans_for_members(*, members: list[Membership], start: datetime, end: datetime,
                           except_uids: Iterable[str] = ()) -> list[tuple[int, datetime, datetime]]:
    """(member id, start, end) of the busy events of the members' selected calendars that overlap [start, end).

    Only what free/busy needs, for slot computations over many days: no titles, no free (transparent) events, and
    none with the given iCalendar UIDs (the caller's own interviews, which it counts from its own rows).
    """
    owners = selected_calendars(members=members)
    if not owners:
        return []
    rows = (
        overlapping(Event.objects.filter(company=members[0].company_id, calendar_id__in=list(owners), is_busy=True),
                    start=start, end=end)
        .exclude(status="cancelled")
    )
    uids = [uid for uid in except_uids if uid]
    if uids:
        rows = rows.exclude(ical_uid__in=uids)
    return [(owners[calendar_id], event_start, event_end)
            for calendar_id, event_start, event_end in rows.values_list("calendar_id", "start", "end")]


def uid_is(uids: Iterable[str]) -> Q:
    """Events with one of these iCalendar UIDs, in words the index of UIDs answers (our own UIDs are short)."""
    return INDEXED_UID & Q(ical_uid__in=[uid for uid in uids if uid])


def members_with_calendars(*, members: list[Membership]) -> set[int]:
    """Ids of the members who have at least one working calendar connection."""
    return set(
        CalendarConnection.objects.filter(member__in=members, status=CalendarConnection.Status.ACTIVE)
        .values_list("member_id", flat=True)
    )
