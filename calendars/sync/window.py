"""The time window whose events are mirrored (recurring series are stored as instances inside it)."""

from datetime import UTC, datetime, timedelta

from django.conf import settings


def sync_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        today - timedelta(days=settings.CALENDAR_SYNC_DAYS_BACK),
        today + timedelta(days=settings.CALENDAR_SYNC_DAYS_AHEAD),
    )
