"""Synced-calendar rows for tests that need them without going through a provider."""

from datetime import datetime

from calendars.models import Calendar, CalendarConnection, Event, Provider
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership


def connected_calendar(member: Membership, *, email: str | None = None, selected: bool = True) -> Calendar:
    with across_tenants("test setup"):
        connection = CalendarConnection.objects.create(
            company=member.company, member=member, provider=Provider.GOOGLE,
            account_id=email or member.user.email, account_email=email or member.user.email,
            access_token="test-access", refresh_token="test-refresh",
        )
        return Calendar.objects.create(
            company=member.company, connection=connection, provider_calendar_id=email or member.user.email,
            name="Work", is_primary=True, is_selected=selected,
        )


def event(calendar: Calendar, title: str, start: datetime, end: datetime, **extra) -> Event:
    with across_tenants("test setup"):
        return Event.objects.create(
            company=calendar.company, calendar=calendar, provider_event_id=f"ev-{title}-{start.isoformat()}",
            title=title, start=start, end=end, **extra,
        )
