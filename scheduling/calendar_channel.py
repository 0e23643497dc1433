"""The calendar channel: keep the organizer's provider event in line with the interview (create, update, cancel).

Apart from the services, which only queue this work: the task that runs it must not import the module that queues
the task.
"""

from __future__ import annotations

import hashlib
import json
import logging

from django.db import transaction

from calendars.models import CalendarConnection
from calendars.provider_events import event_cancel, event_create, event_update
from calendars.providers.base import (
    EventDraft,
    EventNotFound,
    ProviderError,
    RateLimited,
    ReconnectNeeded,
    TemporaryProviderError,
)
from recruitee.tasking import backoff_seconds

from .models import CalendarInvite, Interview

logger = logging.getLogger(__name__)

CALENDAR_SYNC_MAX_ATTEMPTS = 6
CALENDAR_SYNC_MAX_BACKOFF_SECONDS = 15 * 60


def event_draft(interview: Interview) -> EventDraft:
    attendees = [(p.name, p.email) for p in interview.participants.all() if p.by_calendar]
    # The video link goes as data: the provider adapter writes it into the event's text and place, once.
    return EventDraft(
        summary=interview.title, description=interview.note, location=interview.location,
        start=interview.start, end=interview.end, time_zone=interview.time_zone, attendees=attendees,
        ical_uid=interview.ical_uid, video_link=interview.video_link,
    )


def _digest(draft: EventDraft) -> str:
    facts = [draft.summary, draft.description, draft.location, draft.start.isoformat(), draft.end.isoformat(),
             draft.time_zone, sorted(draft.attendees), draft.video_link]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def calendar_invite_sync(*, interview_id: int) -> float | None:
    """Make the provider event match the interview (create, update or cancel). Returns seconds to wait before
    another attempt, or None when done (or failed for good, recorded with a reason a person can act on).

    The invite row stays locked during the provider call: a second task for the same interview waits and then
    finds the work done, so two workers never create or update twice.
    """
    with transaction.atomic():
        invite = (CalendarInvite.objects.select_for_update(of=("self",))
                  .select_related("interview__organizer__user", "connection").get(interview_id=interview_id))
        interview = invite.interview
        connection = invite.connection
        if connection is None or connection.status != CalendarConnection.Status.ACTIVE:
            _fail(invite, "The organizer's calendar is no longer connected. Reconnect it, then press Retry.")
            return None
        draft = event_draft(interview)
        digest = _digest(draft)
        retry_in = None
        try:
            if interview.is_cancelled:
                if invite.status == CalendarInvite.Status.CANCELLED:
                    return None
                if invite.provider_event_id:
                    # Outlook passes the comment on with its cancellation; Google has no place for one.
                    event_cancel(connection=connection, provider_event_id=invite.provider_event_id,
                                 comment=f"{interview.title} has been cancelled.")
                invite.status = CalendarInvite.Status.CANCELLED
            elif not invite.provider_event_id:
                result = event_create(connection=connection, key=invite.key, draft=draft)
                invite.provider_event_id, invite.synced_digest = result.provider_event_id, digest
                invite.status = CalendarInvite.Status.CREATED
            elif invite.synced_digest != digest:
                event_update(connection=connection, provider_event_id=invite.provider_event_id, draft=draft)
                invite.synced_digest, invite.status = digest, CalendarInvite.Status.UPDATED
            elif invite.status == CalendarInvite.Status.FAILED:
                invite.status = CalendarInvite.Status.UPDATED
            else:
                return None
            invite.last_error = ""
        except (RateLimited, TemporaryProviderError) as error:
            invite.attempts += 1
            invite.last_error = str(error)
            if invite.attempts >= CALENDAR_SYNC_MAX_ATTEMPTS:
                invite.status = CalendarInvite.Status.FAILED
                invite.last_error = f"{invite.provider_label} kept refusing ({error}). Press Retry to try again."
            else:
                backoff = backoff_seconds(invite.attempts, base=30, cap=CALENDAR_SYNC_MAX_BACKOFF_SECONDS)
                retry_in = max(getattr(error, "retry_after", None) or 0, backoff)
        except ReconnectNeeded:
            _fail(invite, f"{connection} needs to be reconnected; then press Retry.")
            return None
        except EventNotFound:
            _fail(invite, f"The event was deleted from {connection}. Retry creates it again only if you reschedule.")
            return None
        except ProviderError as error:
            logger.warning("Calendar invite of interview %s failed: %s", interview_id, error)
            _fail(invite, str(error))
            return None
        invite.save()
    return retry_in


def _fail(invite: CalendarInvite, reason: str) -> None:
    invite.status, invite.last_error = CalendarInvite.Status.FAILED, reason
    invite.attempts += 1
    invite.save(update_fields=["status", "last_error", "attempts", "updated_at"])
