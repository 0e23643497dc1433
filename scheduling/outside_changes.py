"""Changes made to the interview's provider event outside the app (moved, people changed, deleted in the calendar).

The sync finds them (answers.invites_refresh calls outside_change_detect) and stores what differs on the calendar
invite; nothing changes until a recruiter applies it (the interview takes the calendar's time), restores ours (the
provider event is written back) or, for a deleted event, cancels the interview or recreates the event.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from calendars.models import Event
from calendars.sync.window import sync_window
from recruitee.accounts.models import User
from recruitee.tasking import queue_after_commit
from recruitee.tenancy.services import audit_record, in_english

from . import services
from .calendar_channel import _digest, event_draft
from .models import CalendarInvite, Interview
from .plan import Plan
from .tasks import calendar_invite_sync_task


def outside_change_detect(*, invite: CalendarInvite, event: Event | None, complete: bool = False) -> dict:
    """Compare the synced provider event with the interview and store what differs (or clear it when they agree).

    Our own writes are never reported: while the provider event has not yet been written with what the interview
    says now (a reschedule whose calendar task has not run), nothing is compared. An event missing from the synced
    calendar counts as deleted when the sync says it removed it, or after a full sync if the interview lies inside
    the synced window. Returns the stored description."""
    interview = invite.interview
    if interview.is_cancelled or invite.status in (CalendarInvite.Status.PENDING, CalendarInvite.Status.CANCELLED):
        return invite.outside_change
    deleted = event is None or event.status == "cancelled"
    if event is None and complete:
        window_start, window_end = sync_window()
        if not (interview.end > window_start and interview.start < window_end):
            return invite.outside_change
    ours_written = invite.synced_digest == _digest(event_draft(interview))
    if not deleted and not ours_written:
        return invite.outside_change  # our own change is on its way to the provider
    change: dict = {}
    if deleted:
        change = {"deleted": True}
    else:
        if (event.start, event.end) != (interview.start, interview.end):
            change.update(moved=True, start=event.start.isoformat(), end=event.end.isoformat())
        organizer = {(event.organizer_email or "").casefold(),
                     (interview.organizer.user.email.casefold() if interview.organizer else "")}
        theirs = {str(a.get("email") or "").casefold(): a.get("name") or a.get("email")
                  for a in event.attendees or [] if a.get("email")}
        theirs = {email: name for email, name in theirs.items() if email not in organizer}
        ours = {p.email.casefold(): p.name for p in interview.participants.all() if p.by_calendar}
        added = sorted(set(theirs) - set(ours))
        removed = sorted(set(ours) - set(theirs))
        if added or removed:
            change.update(added=added, removed=removed,
                          added_names=[theirs[e] for e in added], removed_names=[ours[e] for e in removed])
    locked = CalendarInvite.objects.select_for_update().get(pk=invite.pk, company=invite.company_id)
    if locked.outside_change == change:
        return change
    locked.outside_change = change
    locked.outside_change_at = timezone.now() if change else None
    locked.save(update_fields=["outside_change", "outside_change_at", "updated_at"])
    invite.outside_change, invite.outside_change_at = locked.outside_change, locked.outside_change_at
    if change:
        with in_english():  # a record
            summary, label = outside_change_summary(invite), invite.provider_label
        _record(interview, None, "outside_change", summary, {"change": change, "by": label,
                                                             "by_calendar": invite.provider})
    return change


def outside_change_summary(invite: CalendarInvite) -> str:
    """What the calendar says that the interview does not, in a sentence, in the active language: "Moved in Google
    Calendar to Thu 14:00–15:00"."""
    change = invite.outside_change or {}
    calendar = invite.provider_label
    if change.get("deleted"):
        return _("Deleted in %(calendar)s") % {"calendar": calendar}
    parts = []
    if change.get("moved"):
        zone = ZoneInfo(invite.interview.time_zone)
        start = datetime.fromisoformat(change["start"]).astimezone(zone)
        end = datetime.fromisoformat(change["end"]).astimezone(zone)
        # A weekday alone is clear within the interview's own week; further away the date says which one.
        same_week = abs((start.date() - invite.interview.start.astimezone(zone).date()).days) < 7
        day = date_format(start, "D") if same_week else date_format(start, pgettext("date format", "D j M"))
        end_text = date_format(end, "TIME_FORMAT") if start.date() == end.date() else \
            pgettext("day and time", "%(day)s %(time)s") % {"day": date_format(end, "D"),
                                                             "time": date_format(end, "TIME_FORMAT")}
        parts.append(_("Moved in %(calendar)s to %(day)s %(start)s–%(end)s") % {
            "calendar": calendar, "day": day, "start": date_format(start, "TIME_FORMAT"), "end": end_text})
    if change.get("added_names"):
        parts.append(_("added %(names)s") % {"names": ", ".join(change["added_names"])})
    if change.get("removed_names"):
        parts.append(_("removed %(names)s") % {"names": ", ".join(change["removed_names"])})
    if not parts:
        return ""
    if not change.get("moved"):
        parts[0] = _("People changed in %(calendar)s: %(change)s") % {"calendar": calendar, "change": parts[0]}
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def _locked_invite(interview: Interview) -> CalendarInvite:
    try:
        return CalendarInvite.objects.select_for_update().get(interview=interview, company=interview.company)
    except CalendarInvite.DoesNotExist:
        raise ValidationError(_("This interview has no calendar event.")) from None


def _recorded_label(invite: CalendarInvite) -> str:
    """The calendar's name as records and stored reasons say it (in English, whatever the request speaks)."""
    with in_english():
        return invite.provider_label


def _clear(invite: CalendarInvite) -> None:
    invite.outside_change, invite.outside_change_at = {}, None


def outside_change_apply(*, interview: Interview, actor: User | None) -> Interview:
    """The interview takes the time the calendar says: SEQUENCE + 1 and update emails to those invited by email
    (the provider has already told those it invited). Raises ValidationError when there is no move to apply."""
    with transaction.atomic():
        invite = _locked_invite(interview)
        change = invite.outside_change or {}
        if not change.get("moved") or change.get("deleted"):
            raise ValidationError(_("There is no change of time to apply."))
        label = _recorded_label(invite)
        plan = Plan.of(interview)
        plan.start, plan.end = datetime.fromisoformat(change["start"]), datetime.fromisoformat(change["end"])
        interview = services.interview_reschedule(interview=interview, plan=plan, actor=actor,
                                                  by=f"{actor.display_name} (from {label})" if actor else label)
        invite.refresh_from_db(fields=["synced_digest", "status"])
        _clear(invite)
        invite.save(update_fields=["outside_change", "outside_change_at", "updated_at"])
    return interview


def outside_change_restore(*, interview: Interview, actor: User) -> CalendarInvite:
    """Write the interview's time, place and people back to the provider event (the calendar task does it)."""
    with transaction.atomic():
        invite = _locked_invite(interview)
        if not invite.outside_change or invite.outside_change.get("deleted"):
            raise ValidationError(_("There is no change to undo in the calendar."))
        with in_english():  # for the record
            summary = outside_change_summary(invite)
        undone = invite.outside_change
        invite.synced_digest = ""  # what the provider has is no longer ours: the task writes it again
        _clear(invite)
        invite.save(update_fields=["synced_digest", "outside_change", "outside_change_at", "updated_at"])
        _record(interview, actor, "outside_change_restored",
                f"Restored ours in {_recorded_label(invite)} ({summary[:1].lower()}{summary[1:]})",
                {"provider": invite.provider, "change": undone})
        queue_after_commit(calendar_invite_sync_task, company_id=interview.company_id, interview_id=interview.pk)
    return invite


def outside_change_cancel(*, interview: Interview, actor: User) -> Interview:
    """The event was deleted in the calendar and the recruiter agrees: cancel the interview (emails go to those
    invited by email; the provider has already told the others, so nothing is written to it)."""
    with transaction.atomic():
        invite = _locked_invite(interview)
        if not invite.outside_change.get("deleted"):
            raise ValidationError(_("The calendar event was not deleted."))
        invite.status = CalendarInvite.Status.CANCELLED
        _clear(invite)
        invite.save(update_fields=["status", "outside_change", "outside_change_at", "updated_at"])
        return services.interview_cancel(interview=interview, actor=actor,
                                         reason=f"the event was deleted in {_recorded_label(invite)}")


def outside_change_recreate(*, interview: Interview, actor: User) -> CalendarInvite:
    """The event was deleted in the calendar but the interview stands: the calendar task brings it back (Google
    keeps deleted events) or makes a new one (Outlook); either way the calendar's attendees are invited again."""
    with transaction.atomic():
        invite = _locked_invite(interview)
        if not invite.outside_change.get("deleted"):
            raise ValidationError(_("The calendar event was not deleted."))
        if interview.is_cancelled:
            raise ValidationError(_("A cancelled interview needs no calendar event."))
        invite.synced_digest = ""  # pending with a provider event: restored or recreated (calendar_channel)
        invite.status, invite.attempts, invite.last_error = CalendarInvite.Status.PENDING, 0, ""
        _clear(invite)
        invite.save()
        _record(interview, actor, "calendar_recreated", f"Recreated the event in {_recorded_label(invite)}",
                {"provider": invite.provider})
        queue_after_commit(calendar_invite_sync_task, company_id=interview.company_id, interview_id=interview.pk)
    return invite


def _record(interview: Interview, actor: User | None, kind: str, detail: str, data: dict) -> None:
    audit_record(company=interview.company, actor=actor, action=f"interview.{kind}", target=interview,
                 summary=f"{interview.title} with {interview.candidate.full_name}: {detail}", detail=detail,
                 title=interview.title, candidate=interview.candidate.full_name, start=interview.start.isoformat(),
                 time_zone=interview.time_zone, **data)
