"""Reads of synced calendar data that views share."""

from datetime import datetime

from django.db.models import QuerySet

from recruitee.tenancy.models import Membership

from .models import CalendarConnection, Event


def events_for_members(*, members: list[Membership], start: datetime, end: datetime) -> QuerySet:
    """Events of the members' selected calendars that overlap [start, end)."""
    return (
        Event.objects.filter(
            company=members[0].company if members else None,
            calendar__is_selected=True,
            calendar__connection__member__in=members,
            start__lt=end,
            end__gt=start,
        )
        .exclude(status="cancelled")
        .select_related("calendar__connection")
        .order_by("start", "end")
    )


def members_with_calendars(*, members: list[Membership]) -> set[int]:
    """Ids of the members who have at least one working calendar connection."""
    return set(
        CalendarConnection.objects.filter(member__in=members, status=CalendarConnection.Status.ACTIVE)
        .values_list("member_id", flat=True)
    )
