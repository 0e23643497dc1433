"""The calendar channel: keep the organizer's provider event in line with the interview (create, update, cancel).

Apart from the services, which only queue this work: the task that runs it must not import the module that queues
the task.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import uuid
from datetime import datetime

from django.db import transaction

from calendars.models import Calendar, CalendarConnection, Provider
from calendars.provider_events import event_cancel, event_create, event_update
from calendars.providers import get_provider
from calendars.providers.base import (
    MEETING_FAILED,
    MEETING_READY,
    EventDraft,
    EventNotFound,
    ProviderError,
    ProviderEventResult,
    RateLimited,
    ReconnectNeeded,
    TemporaryProviderError,
)
from calendars.tokens import with_fresh_token
from recruitee.tasking import backoff_seconds
from recruitee.tenancy.services import audit_record

from . import emails
from .meeting_link import meeting_link_announce
from .models import CalendarInvite, Interview, MeetingStatus, OnlineMeeting
from .plan import Plan

logger = logging.getLogger(__name__)

CALENDAR_SYNC_MAX_ATTEMPTS = 6
CALENDAR_SYNC_MAX_BACKOFF_SECONDS = 15 * 60
# A meeting the provider answered "pending" is read again after these waits; still pending after the last, it has
# failed (Google documents no bound; a minute and a half is long for invitations to wait).
MEETING_POLL_SECONDS = (1, 2, 4, 8, 15, 30, 30)


# Providers whose event carries the UID we give it (EventDraft.ical_uid): Google takes it as the iCalUID; Graph
# makes a UID of its own. With such a provider our email's entry and the provider's are one entry in people's
# calendars, so moving someone from one channel to the other must not cancel "the email entry": it is theirs.
_KEEPS_OUR_UID = frozenset({Provider.GOOGLE})


def provider_keeps_our_uid(provider: str) -> bool:
    return provider in _KEEPS_OUR_UID


def event_draft(interview: Interview) -> EventDraft:
    # Nobody invited by calendar: the event still owns the interview's online meeting, without attendees.
    attendees = [(p.name, p.email) for p in interview.participants.all() if p.by_calendar]
    # The video link goes as data: the provider adapter writes it into the event's text and place, once. The
    # provider's own meeting is part of its event already: the link is not repeated in the text.
    online = bool(interview.online_meeting)
    return EventDraft(
        summary=interview.title, description=interview.note, location=interview.location,
        start=interview.start, end=interview.end, time_zone=interview.time_zone, attendees=attendees,
        ical_uid=interview.ical_uid, video_link="" if online else interview.video_link, online_meeting=online,
    )


def _digest(draft: EventDraft) -> str:
    facts = [draft.summary, draft.description, draft.location, draft.start.isoformat(), draft.end.isoformat(),
             draft.time_zone, sorted(draft.attendees), draft.video_link, draft.online_meeting]
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
        result: ProviderEventResult | None = None
        try:
            if interview.is_cancelled:
                retry_dropped = _retrying(invite)
                if retry_dropped:
                    # Nobody is told of a link for a cancelled interview.
                    invite.meeting_status, invite.meeting_error = MeetingStatus.FAILED, "The interview was cancelled."
                    invite.meeting_request = ""
                if invite.status == CalendarInvite.Status.CANCELLED:
                    if retry_dropped:
                        invite.save(update_fields=["meeting_status", "meeting_error", "meeting_request",
                                                   "updated_at"])
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
                invite.meeting_request = ""  # the create asked for the meeting
            elif invite.synced_digest != digest or invite.meeting_request:
                # A Retry of the meeting asks the provider for it again, once (its request id stays until then).
                asking = dataclasses.replace(draft, meeting_request=invite.meeting_request)
                result = _update_or_recreate(invite, connection, asking)
                invite.synced_digest, invite.meeting_request = digest, ""
            elif _meeting_open(invite):
                result = _event_read(connection, invite.provider_event_id)
            elif invite.status == CalendarInvite.Status.FAILED:
                invite.status = CalendarInvite.Status.UPDATED
            elif not invite.after_removal:  # (a task before this one may have made the change they waited for)
                return None
            invite.last_error = ""
            after_removal_send(invite, interview)
            if result is not None and _meeting_open(invite):
                retry_in = _meeting_follow(invite, interview, result)
        except (RateLimited, TemporaryProviderError) as error:
            invite.attempts += 1
            invite.last_error = str(error)
            if invite.attempts >= CALENDAR_SYNC_MAX_ATTEMPTS:
                invite.status = CalendarInvite.Status.FAILED
                invite.last_error = f"{invite.provider_label} kept refusing ({error}). Press Retry to try again."
                _meeting_given_up(invite, interview, invite.last_error)
                after_removal_send(invite, interview)
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


def _update_or_recreate(invite: CalendarInvite, connection: CalendarConnection,
                        draft: EventDraft) -> ProviderEventResult:
    """An update; or, for an invite set back to pending after its event was deleted in the calendar ("Recreate"),
    the deleted event brought back where the provider keeps it (Google), else a new event under a new key."""
    recreating = invite.status == CalendarInvite.Status.PENDING
    try:
        result = event_update(connection=connection, provider_event_id=invite.provider_event_id, draft=draft,
                              restore=recreating)
    except EventNotFound:
        if not recreating:
            raise
        invite.key = str(uuid.uuid4())
        result = event_create(connection=connection, key=invite.key, draft=draft)
        invite.provider_event_id = result.provider_event_id
    invite.status = CalendarInvite.Status.CREATED if recreating else CalendarInvite.Status.UPDATED
    return result


def _fail(invite: CalendarInvite, reason: str) -> None:
    invite.status, invite.last_error = CalendarInvite.Status.FAILED, reason
    invite.attempts += 1
    _meeting_given_up(invite, invite.interview, reason)
    after_removal_send(invite, invite.interview)
    invite.save(update_fields=["status", "last_error", "attempts", "meeting_status", "meeting_error",
                               "meeting_request", "after_removal", "updated_at"])


def after_removal_send(invite: CalendarInvite, interview: Interview) -> None:
    """The emails that waited for the provider to take people off its event (services.interview_reschedule), now
    that it has, or has failed for good (then they are still on the event, whose entry our email, with the same
    UID, updates). Sent under the invite's lock, so once; queued after this transaction, so after the provider's
    cancellation. Nothing for a cancelled interview: its cancellation reached them by email already."""
    pending, invite.after_removal = invite.after_removal, []
    if not pending or interview.is_cancelled:
        return
    plan = Plan.of(interview)
    participants = {p.pk: p for p in interview.participants.all()}
    for item in pending:
        people = [participants[pk] for pk in item["participants"]
                  if pk in participants and participants[pk].by_email and not participants[pk].by_calendar]
        if not people:
            continue
        previous = tuple(datetime.fromisoformat(moment) for moment in item["previous"]) if item["previous"] else None
        emails.deliver(interview=interview, plan=plan, people=people, audience=item["audience"],
                       wording=emails.Wording(item["subject"], item["body"]), method="REQUEST", refusable=False,
                       previous=previous)


# --- the online meeting ------------------------------------------------------------------------------------------


def _meeting_open(invite: CalendarInvite) -> bool:
    """A meeting was asked for and is neither made nor given up on: the held invitations wait for it (requested,
    pending), or the people invited without it wait for an update (retrying)."""
    return invite.meeting_status in (MeetingStatus.REQUESTED, MeetingStatus.PENDING, MeetingStatus.RETRYING)


def _retrying(invite: CalendarInvite) -> bool:
    return invite.meeting_status == MeetingStatus.RETRYING


def meeting_retry_open(invite: CalendarInvite, interview: Interview) -> bool:
    """Retry of a meeting the calendar could not make (the invitations went out without it): ask the provider again
    on the next calendar task, with a new request id. Call under the invite's row lock, then queue the task.
    Returns False when there is nothing to retry (no meeting wanted, not failed, or the interview cancelled)."""
    if not interview.online_meeting or interview.is_cancelled or invite.meeting_status != MeetingStatus.FAILED:
        return False
    invite.meeting_status, invite.meeting_error = MeetingStatus.RETRYING, ""
    invite.meeting_request = uuid.uuid4().hex
    return True


def _meeting_follow(invite: CalendarInvite, interview: Interview, result: ProviderEventResult) -> float | None:
    """Take in what the provider said about the meeting; returns when to read the event again, if pending."""
    if result.meeting_state == MEETING_READY:
        interview.video_link = result.meeting_url
        interview.save(update_fields=["video_link", "updated_at"])
        retried = _retrying(invite)
        invite.meeting_status, invite.meeting_error, invite.attempts = MeetingStatus.CREATED, "", 0
        if retried:
            _link_announce(interview, f"{_meeting_label(interview)} link created on retry")
        else:
            _invitations_release(invite, interview, f"{_meeting_label(interview)} link created")
        return None
    if result.meeting_state == MEETING_FAILED:
        _meeting_given_up(invite, interview, result.meeting_error or "the provider refused it.")
        return None
    if not result.meeting_state:
        _meeting_given_up(invite, interview, f"{invite.provider_label} made the event without it.")
        return None
    # Pending: read the event again a little later, a bounded number of times.
    if not _retrying(invite):
        invite.meeting_status = MeetingStatus.PENDING
    invite.attempts += 1
    if invite.attempts > len(MEETING_POLL_SECONDS):
        _meeting_given_up(invite, interview, f"{invite.provider_label} was still creating it after "
                                             f"{sum(MEETING_POLL_SECONDS)} seconds.")
        invite.attempts = 0
        return None
    return float(MEETING_POLL_SECONDS[invite.attempts - 1])


def _meeting_given_up(invite: CalendarInvite, interview: Interview, reason: str) -> None:
    """The meeting cannot be made: the held invitations go out without a link, and the interview page says why (a
    Retry that failed again sends nothing: everyone was invited already)."""
    if not _meeting_open(invite):
        return
    retried = _retrying(invite)
    invite.meeting_status, invite.meeting_error, invite.meeting_request = MeetingStatus.FAILED, reason, ""
    if retried:
        _record_meeting(interview, f"The {_meeting_label(interview)} link could not be created on retry: {reason}",
                        [], retried=True, reason=reason)
        return
    _invitations_release(invite, interview, f"The {_meeting_label(interview)} link could not be created: {reason}")


def _invitations_release(invite: CalendarInvite, interview: Interview, detail: str) -> None:
    # Called under the invite's row lock, once per interview (the meeting status leaves "open" in the same save).
    # Worded as at Send (kept on the invite); invites held before that was kept are worded from the wizard draft.
    sent = emails.invitations_send(interview=interview, held=invite.held_wording)
    _record_meeting(interview, detail, sent)


def _link_announce(interview: Interview, detail: str) -> None:
    # Under the invite's row lock, once: the meeting leaves "retrying" in the same save.
    sent = meeting_link_announce(interview=interview)
    _record_meeting(interview, f"{detail}; the people invited by email were sent an update", sent,
                    sequence=interview.sequence, retried=True)


def _record_meeting(interview: Interview, detail: str, sent: list[int], **data) -> None:
    audit_record(company=interview.company, actor=None, action="interview.meeting", target=interview,
                 summary=f"{interview.title} with {interview.candidate.full_name}: {detail}", detail=detail,
                 messages=sent, title=interview.title, candidate=interview.candidate.full_name,
                 meeting=interview.online_meeting, created=bool(interview.video_link), **data)


def _meeting_label(interview: Interview) -> str:
    return OnlineMeeting(interview.online_meeting).label if interview.online_meeting else "meeting"


def _event_read(connection: CalendarConnection, event_id: str) -> ProviderEventResult:
    # Belongs in calendars/provider_events.py next to event_update (see the report); same calendar choice.
    adapter = get_provider(connection.provider)
    primary = Calendar.objects.filter(connection=connection, is_primary=True).first()
    calendar_id = primary.provider_calendar_id if primary else None
    return with_fresh_token(connection.pk, lambda token: adapter.read_event(
        access_token=token, calendar_id=calendar_id, event_id=event_id))
