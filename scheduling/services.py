"""Writes: schedule, reschedule and cancel an interview; the provider event follows it (calendar_channel.py).

Each public function runs in one transaction: the interview, its participants, the outbox messages and the pending
provider write commit together, and the tasks that act on them are queued only after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from calendars.models import CalendarConnection
from calendars.providers import get_provider
from recruitee.accounts.models import User
from recruitee.recruiting.services import candidate_stage_on_schedule
from recruitee.tasking import queue_after_commit
from recruitee.tenancy.refusals import refusals_recorded
from recruitee.tenancy.services import audit_record

from . import emails
from .calendar_channel import meeting_retry_open, provider_keeps_our_uid
from .invitation_calendar import account_label, interview_calendar
from .models import Audience, CalendarInvite, Interview, MeetingStatus, Participant, Purpose, ScheduleDraft
from .placeholders import UnknownPlaceholder
from .plan import Plan
from .selectors import organizer_connection
from .tasks import calendar_invite_sync_task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Channels:
    """How one audience is invited: our email, the organizer's calendar (the provider's invitation), or both."""

    email: bool = False
    calendar: bool = False

    @property
    def any(self) -> bool:
        return self.email or self.calendar


class DraftAlreadyUsed(Exception):
    """The wizard draft was sent before (another tab, a double click): `interview` is what it became, if it still
    exists."""

    def __init__(self, interview: Interview | None) -> None:
        self.interview = interview
        super().__init__("This draft was already used.")


def _check_plan(plan: Plan) -> None:
    company_id = plan.organizer.company_id
    if plan.candidate.company_id != company_id:
        raise ValidationError("The candidate belongs to another company.")
    if any(member.company_id != company_id for member in plan.interviewers):
        raise ValidationError("Interviewers must be members of the company.")
    if plan.end <= plan.start:
        raise ValidationError("The event must end after it starts.")
    if not plan.invite_candidate and not plan.interviewers:
        raise ValidationError("Invite the candidate or at least one interviewer.")
    if plan.video_link and not plan.video_link.lower().startswith(("http://", "https://")):
        raise ValidationError("The video link must be an http:// or https:// link.")
    if plan.online_meeting and plan.video_link:
        raise ValidationError("Either type a video link or let your calendar make the meeting, not both.")


def interview_schedule(
    *,
    plan: Plan,
    candidate_via: Channels,
    interviewers_via: Channels,
    candidate_wording: emails.Wording,
    interviewers_wording: emails.Wording,
    actor: User | None,
    draft: ScheduleDraft | None = None,
    by: str = "",
    connection: CalendarConnection | None = None,
) -> Interview:
    """Create the interview, its participants, one message per audience invited by email and, if any audience is
    invited by calendar, the pending provider event. Raises ValidationError (nothing is written then).

    With a wizard `draft`, the draft is locked and marked used in the same transaction: a second send of it (another
    tab, a double click) waits for the first and raises DraftAlreadyUsed instead of scheduling twice.

    `by` names who acted when it is not a member (`actor` is then None): "the candidate" for a booking made
    through a scheduling link; the interview's history says so.

    `connection`: the organizer's calendar chosen to send from ("Send from" in step 2, or the scheduling link's);
    None for their calendar for invitations. The interview keeps it: later changes go through the same one."""
    _check_plan(plan)
    if plan.invite_candidate and not candidate_via.any:
        raise ValidationError("Choose how to invite the candidate.")
    if plan.interviewers and not interviewers_via.any:
        raise ValidationError("Choose how to invite the interviewers.")
    if connection is None:
        connection = organizer_connection(plan.organizer)
    elif (connection.member_id != plan.organizer.pk or connection.company_id != plan.organizer.company_id
          or connection.status != CalendarConnection.Status.ACTIVE):
        raise ValidationError(f"{connection} is no longer connected: choose another calendar to send from.")
    wants_calendar = (plan.invite_candidate and candidate_via.calendar) or (plan.interviewers and
                                                                           interviewers_via.calendar)
    if wants_calendar and connection is None:
        raise ValidationError("Inviting by calendar needs a connected calendar of yours.")
    if plan.online_meeting and (connection is None or get_provider(connection.provider).meeting_kind
                                != plan.online_meeting):
        raise ValidationError("A meeting link from your calendar needs your connected calendar.")
    for wording in (candidate_wording, interviewers_wording):
        unknown = emails.unknown_in(wording)
        if unknown:
            raise ValidationError(str(UnknownPlaceholder(unknown)))

    with refusals_recorded(), transaction.atomic():  # a sending limit's refusal is audited after the rollback
        if draft is not None:
            locked = ScheduleDraft.objects.select_for_update().get(pk=draft.pk, company=plan.organizer.company)
            if locked.is_used:
                raise DraftAlreadyUsed(locked.interview)
        interview = Interview.objects.create(
            company=plan.organizer.company, candidate=plan.candidate, job=plan.job, organizer=plan.organizer,
            kind=plan.kind, title=plan.title, start=plan.start, end=plan.end, time_zone=plan.time_zone,
            location=plan.location, video_link=plan.video_link, note=plan.note, created_by=actor,
            online_meeting=plan.online_meeting, calendar_connection=connection,
            interviewers_language=plan.interviewers_language,
            calendar_account=account_label(connection) if connection is not None else "",
        )
        seen: set[str] = set()
        rows = []
        if plan.invite_candidate:
            candidate = plan.candidate
            seen.add(candidate.email.casefold())
            rows.append(Participant(
                company=interview.company, interview=interview, role=Participant.Role.CANDIDATE,
                name=candidate.full_name,
                email=candidate.email, time_zone=candidate.time_zone or plan.time_zone,
                by_email=candidate_via.email, by_calendar=candidate_via.calendar,
            ))
        for member in plan.interviewers:
            if member.user.email.casefold() in seen:
                continue  # one person, one participant (and one invitation)
            seen.add(member.user.email.casefold())
            rows.append(Participant(
                company=interview.company, interview=interview, role=Participant.Role.INTERVIEWER, member=member,
                name=member.user.display_name, email=member.user.email,
                time_zone=member.user.time_zone or plan.time_zone,
                by_email=interviewers_via.email, by_calendar=interviewers_via.calendar,
            ))
        Participant.objects.bulk_create(rows)
        participants = list(interview.participants.all())

        sent = []
        held: dict[str, dict[str, str]] = {}
        for audience, wording in ((Audience.CANDIDATE, candidate_wording),
                                  (Audience.INTERVIEWERS, interviewers_wording)):
            # Rendered now to refuse what cannot be sent; with a meeting to make, the invitations are sent by the
            # calendar task once the join link exists (or could not be made), so they carry it. Their wording is
            # kept as it is now: a later edit of the draft or the templates does not change what goes out.
            if plan.online_meeting:
                language = emails.recipient_language(plan, audience)
                emails.render(wording, emails.values_for(plan, emails.recipient_zone(plan, audience),
                                                         language=language))
                held[audience] = {"subject": wording.subject, "body": wording.body, "language": language}
                continue
            message = emails.send(interview=interview, plan=plan, participants=participants, audience=audience,
                                  purpose=Purpose.INVITATION, wording=wording)
            if message is not None:
                sent.append(message.pk)
        if plan.online_meeting or any(p.by_calendar for p in participants):
            # With the email channel only, the event (without attendees) is there to own the meeting.
            CalendarInvite.objects.create(
                company=interview.company, interview=interview, connection=connection, provider=connection.provider,
                meeting_status=MeetingStatus.REQUESTED if plan.online_meeting else "", held_wording=held)
            _queue_calendar_sync(interview)
        _record(interview, actor, "scheduled", f"Scheduled for {_when(interview)}", {
            "messages": sent, "calendar": [p.email for p in participants if p.by_calendar], "by": by,
            "online_meeting": plan.online_meeting,
        })
        if plan.invite_candidate:
            # The company's pipeline setting: an interview moves the candidate forward (audited by the move).
            candidate_stage_on_schedule(candidate=plan.candidate, actor=actor)
        if draft is not None:
            locked.interview, locked.used_at = interview, timezone.now()
            locked.save(update_fields=["interview", "used_at", "updated_at"])
            draft.interview, draft.used_at = locked.interview, locked.used_at
    return interview


def _check_wordings(*wordings: emails.Wording | None) -> None:
    for wording in wordings:
        unknown = emails.unknown_in(wording) if wording is not None else []
        if unknown:
            raise ValidationError(str(UnknownPlaceholder(unknown)))


def _channels_label(channels: Channels) -> str:
    return " and ".join(name for name, on in (("email", channels.email), ("calendar", channels.calendar)) if on)


def _invitations_waiting(invite: CalendarInvite | None) -> bool:
    """The invitations still wait for the calendar's meeting link: nobody has been invited yet, so nobody is told
    of a change; the waiting invitations go out as the interview then is."""
    return invite is not None and invite.meeting_status in (MeetingStatus.REQUESTED, MeetingStatus.PENDING)


def interview_reschedule(
    *,
    interview: Interview,
    plan: Plan,
    actor: User | None,
    by: str = "",
    candidate_via: Channels | None = None,
    interviewers_via: Channels | None = None,
    candidate_wording: emails.Wording | None = None,
    interviewers_wording: emails.Wording | None = None,
) -> Interview:
    """Move or edit the interview. Only changes attendees must see (time, place, people, how they are invited)
    raise SEQUENCE: the invited get an update, a new interviewer an invitation, a removed one a cancellation for
    the time they were invited to. A changed title or note is saved and reaches the provider event quietly.

    `candidate_via` / `interviewers_via` (None: as they are) change how an audience is invited, and nobody ends
    with two calendar entries: moving to the calendar adds people to the provider event and cancels the entry our
    email made (unless the provider's event carries our UID, so it is that same entry); moving to email removes
    them from the provider event and our email brings the entry. The wordings (None: the company's) are the
    update emails as the recruiter edited them for this event; the company's templates stay as they are."""
    if plan.online_meeting:
        # The calendar's meeting keeps its own link (taken from the interview under its lock below), so the link
        # a plan of the interview carries (Plan.of, the reschedule form's prefilled field) is no second video link.
        plan.video_link = ""
    _check_plan(plan)
    _check_wordings(candidate_wording, interviewers_wording)
    via = {Participant.Role.CANDIDATE: candidate_via, Participant.Role.INTERVIEWER: interviewers_via}
    with refusals_recorded(), transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk, company=interview.company)
        if interview.is_cancelled:
            raise ValidationError("A cancelled interview cannot be rescheduled.")
        previous = (interview.start, interview.end)
        invited_to = Plan.of(interview)  # what the removed were invited to: their cancellation names it
        before = {f: getattr(interview, f) for f in ("start", "end", "location", "video_link", "title", "note",
                                                      "time_zone", "kind")}
        if interview.online_meeting:
            plan.video_link = interview.video_link  # the calendar's meeting stays, whatever the form had
        for name in before:
            setattr(interview, name, getattr(plan, name))
        changed = [name for name in before if before[name] != getattr(interview, name)]
        moved = bool({"start", "end", "location", "video_link"} & set(changed))

        participants = list(interview.participants.all())
        interviewers = [p for p in participants if p.role == Participant.Role.INTERVIEWER]
        wanted = {member.pk: member for member in plan.interviewers}
        removed = [p for p in interviewers if p.member_id not in wanted]
        kept = [p for p in participants if p not in removed]
        taken = {p.email.casefold() for p in kept}
        added_members = [m for pk, m in wanted.items()
                         if pk not in {p.member_id for p in interviewers} and m.user.email.casefold() not in taken]
        invite = CalendarInvite.objects.filter(interview=interview).select_related("connection").first()
        sending = interview_calendar(interview)
        # The calendar that invited people is gone (disconnected, or waiting for reconnection): whoever it invited
        # is told by our email from now on, as there is something to tell them.
        told_by_email = []
        if sending.lost and (moved or removed or added_members or any(v is not None for v in via.values())):
            for role in via:
                if any(p.role == role and p.by_calendar for p in kept) and not (via[role] and via[role].calendar):
                    via[role] = Channels(email=True, calendar=False)
                    told_by_email.append(role)
            interviewers_via = via[Participant.Role.INTERVIEWER]
        # Newcomers are invited as asked, else the way the other interviewers were (by calendar only if the event
        # exists there).
        like = interviewers[0] if interviewers else None
        newcomers_via = interviewers_via or Channels(email=like.by_email if like else True,
                                                     calendar=bool(like and like.by_calendar and invite
                                                                   and not sending.lost))
        for role, channels in via.items():
            audience_left = any(p.role == role for p in kept) or (role == Participant.Role.INTERVIEWER
                                                                   and added_members)
            if channels is not None and audience_left and not channels.any:
                raise ValidationError("Choose how to invite the candidate." if role == Participant.Role.CANDIDATE
                                      else "Choose how to invite the interviewers.")
        switched = [(p, Channels(email=p.by_email, calendar=p.by_calendar), via[p.role]) for p in kept
                    if via[p.role] is not None and (p.by_email, p.by_calendar) != (via[p.role].email,
                                                                                   via[p.role].calendar)]
        if removed or added_members:
            changed.append("interviewers")
        if switched:
            changed.append("channels")
        if not changed:
            return interview
        wants_calendar = any(new.calendar for _p, _old, new in switched) or bool(added_members
                                                                                 and newcomers_via.calendar)
        connection = None
        if wants_calendar and invite is None:
            if sending.lost:
                raise ValidationError(gettext("%(reason)s, the calendar this interview is sent from: invite people "
                                              "by email, or reconnect it first.") % {"reason": sending.lost_words})
            connection = sending.connection
            if connection is None:
                raise ValidationError(gettext("Inviting by calendar needs a connected calendar of the organizer's."))
        elif wants_calendar and (invite.connection is None
                                 or invite.connection.status != CalendarConnection.Status.ACTIVE):
            # Their entry from our email would be cancelled while the provider could not invite them.
            raise ValidationError(f"The {invite.provider_label} the event is in is no longer connected: reconnect "
                                  "it before inviting people by calendar.")
        significant = moved or bool(removed or added_members or switched)
        if significant:
            interview.sequence += 1
        interview.save()

        for participant, _old, new in switched:
            participant.by_email, participant.by_calendar = new.email, new.calendar
            participant.save(update_fields=["by_email", "by_calendar"])
        added = Participant.objects.bulk_create([
            Participant(company=interview.company, interview=interview, role=Participant.Role.INTERVIEWER,
                        member=member, name=member.user.display_name, email=member.user.email,
                        time_zone=member.user.time_zone or plan.time_zone,
                        by_email=newcomers_via.email, by_calendar=newcomers_via.calendar)
            for member in added_members
        ])
        if connection is not None:
            invite = CalendarInvite.objects.create(company=interview.company, interview=interview,
                                                   connection=connection, provider=connection.provider)
        if invite is not None and not sending.lost:
            # Queued before the emails: the provider removes someone moved to email (its cancellation) before our
            # email gives them the entry, which matters where both carry the same UID.
            _queue_calendar_sync(interview)
        waiting = _invitations_waiting(invite)
        keeps_uid = bool(invite and provider_keeps_our_uid(invite.provider))
        # Someone the provider takes off its event gets its cancellation, under our UID: our email to them waits
        # for the sync task (queued above) to have done that, whichever worker runs first.
        after_removal: list[dict] = []
        sent = [] if waiting else _reschedule_messages(
            interview=interview, invited_to=invited_to, previous=previous, moved=moved, removed=removed,
            added=added, kept=kept, switched=switched, keeps_uid=keeps_uid,
            wordings={Audience.CANDIDATE: candidate_wording, Audience.INTERVIEWERS: interviewers_wording},
            after_removal=after_removal if keeps_uid and not sending.lost else None)
        if after_removal:
            locked_invite = CalendarInvite.objects.select_for_update().get(pk=invite.pk, company=interview.company)
            locked_invite.after_removal = [*locked_invite.after_removal, *after_removal]
            locked_invite.save(update_fields=["after_removal", "updated_at"])
        Participant.objects.filter(pk__in=[p.pk for p in removed]).delete()

        parts = [f"Rescheduled to {_when(interview)}"] if moved else []
        if removed or added:
            who = [f"+ {p.name}" for p in added] + [f"− {p.name}" for p in removed]
            parts.append(f"interviewers {', '.join(who)}")
        for role, audience in ((Participant.Role.CANDIDATE, "the candidate"),
                               (Participant.Role.INTERVIEWER, "interviewers")):
            if any(p.role == role for p, _old, _new in switched):
                parts.append(f"{audience} now invited by {_channels_label(via[role])}")
        if told_by_email:
            parts.append(f"{sending.lost_reason}: the people it invited were told by email")
        summary = "; ".join(parts) if parts else "Details edited"
        summary = summary[0].upper() + summary[1:]
        _record(interview, actor, "rescheduled" if significant else "edited", summary, {
            "changed": changed, "sequence": interview.sequence, "messages": sent,
            "previous_start": previous[0].isoformat(), "previous_end": previous[1].isoformat(),
            "added": [p.email for p in added], "removed": [p.email for p in removed], "by": by,
            "channels": [{"email": p.email, "from": _channels_label(old), "to": _channels_label(new)}
                         for p, old, new in switched],
            # What the history says in its reader's language (scheduling/sentences.py).
            "moved": moved, "added_names": [p.name for p in added], "removed_names": [p.name for p in removed],
            "invited_now": {str(role): [name for name, on in (("email", via[role].email),
                                                              ("calendar", via[role].calendar)) if on]
                            for role in via if any(p.role == role for p, _old, _new in switched)},
            "calendar_lost": _lost(sending) if told_by_email else None,
            # A member applying the calendar's change (outside_changes.outside_change_apply): `by` names them and
            # the calendar; the calendar's provider, for the history's own words.
            "by_calendar": invite.provider if by and actor is not None and invite is not None else "",
            "edited_wording": [audience for audience, wording in ((Audience.CANDIDATE, candidate_wording),
                                                                  (Audience.INTERVIEWERS, interviewers_wording))
                               if wording is not None and wording != emails.company_wording(
                                   interview.company, audience, Purpose.UPDATE,
                                   emails.recipient_language(plan, audience))],
        })
    return interview


def _reschedule_messages(*, interview: Interview, invited_to: Plan, previous: tuple[datetime, datetime], moved: bool,
                         removed: list[Participant], added: list[Participant], kept: list[Participant],
                         switched: list[tuple[Participant, Channels, Channels]], keeps_uid: bool,
                         wordings: dict[str, emails.Wording | None],
                         after_removal: list[dict] | None = None) -> list[int]:
    """What a reschedule sends, in one place: returns the message ids. With `after_removal` (a list), the emails
    to people leaving the provider's event for our email are not sent but described there, for the calendar task
    to send once the provider has removed them (calendar_channel.after_removal_send)."""
    current = Plan.of(interview)
    company = interview.company
    sent: list[int] = []
    before = {p.pk: old for p, old, _new in switched}
    leaving = {p.pk for p in kept if p.pk in before and before[p.pk].calendar and not p.by_calendar}

    def out(message) -> None:
        if message is not None:
            sent.append(message.pk)

    def to(people: list[Participant], *, audience: str, purpose: str, wording: emails.Wording,
           previous: tuple[datetime, datetime] | None = None) -> None:
        waiting = [p for p in people if p.pk in leaving and p.by_email] if after_removal is not None else []
        if waiting:
            after_removal.append({
                "audience": audience, "participants": [p.pk for p in waiting], "subject": wording.subject,
                "body": wording.body, "previous": [moment.isoformat() for moment in previous] if previous else None,
            })
        out(emails.send(interview=interview, plan=current, participants=[p for p in people if p not in waiting],
                        audience=audience, purpose=purpose, wording=wording, previous=previous))

    def company_wording(audience: str, purpose: str) -> emails.Wording:
        # In the language the audience's message is written in.
        return emails.company_wording(company, audience, purpose, emails.recipient_language(current, audience))

    out(emails.send(interview=interview, plan=invited_to, participants=removed, audience=Audience.INTERVIEWERS,
                    purpose=Purpose.CANCELLATION))
    out(emails.send(interview=interview, plan=current, participants=added, audience=Audience.INTERVIEWERS,
                    purpose=Purpose.INVITATION))
    for audience, role in ((Audience.CANDIDATE, Participant.Role.CANDIDATE),
                           (Audience.INTERVIEWERS, Participant.Role.INTERVIEWER)):
        people = [p for p in kept if p.role == role]
        if moved:
            wording = wordings[audience] or company_wording(audience, Purpose.UPDATE)
            to(people, audience=audience, purpose=Purpose.UPDATE, wording=wording, previous=previous)
        else:
            # Left the provider's event for our email only: the email brings their calendar entry now.
            to([p for p in people if p.pk in leaving], audience=audience, purpose=Purpose.INVITATION,
               wording=company_wording(audience, Purpose.INVITATION))
        # Their entry came from our email and the provider now invites them: cancel ours (its UID is not the
        # provider's), unless it is the same entry.
        to_calendar = [p for p in people if p.pk in before and before[p.pk].email and not before[p.pk].calendar
                       and p.by_calendar]
        if to_calendar and not keeps_uid:
            out(emails.entry_replaced_send(interview=interview, plan=current, people=to_calendar,
                                           audience=audience))
    return sent


def interview_cancel(*, interview: Interview, actor: User | None, by: str = "", reason: str = "", note: str = "",
                     candidate_wording: emails.Wording | None = None,
                     interviewers_wording: emails.Wording | None = None) -> Interview:
    """Cancel: SEQUENCE + 1, METHOD:CANCEL emails to those we emailed, the provider cancels the calendar event.

    `reason` (why; a candidate's, given on the scheduling link's page, or the recruiter's) and `note` (to the
    candidate) are kept on the interview and in its history, and the emails read them as {cancellation_reason}
    and {cancellation_note}. The wordings (None: the company's) are the cancellation emails as the recruiter
    edited them for this event."""
    # A candidate's reason from the scheduling link's page may be as long as the page allows.
    reason, note = " ".join(reason.split())[:2000], note.strip()[:2000]
    _check_wordings(candidate_wording, interviewers_wording)
    with refusals_recorded(), transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview.pk, company=interview.company)
        if interview.is_cancelled:
            return interview
        interview.status = Interview.Status.CANCELLED
        interview.sequence += 1
        interview.cancellation_reason, interview.cancellation_note = reason, note
        interview.cancelled_at = timezone.now()
        interview.save(update_fields=["status", "sequence", "cancellation_reason", "cancellation_note",
                                      "cancelled_at", "updated_at"])
        participants = list(interview.participants.all())
        plan = Plan.of(interview)
        sent = []
        invite = CalendarInvite.objects.select_for_update().filter(interview=interview).first()
        sending = interview_calendar(interview)
        told_by_email = False
        if sending.lost and any(p.by_calendar for p in participants):
            # The calendar that invited them cannot cancel its event: our email tells them (and removes the entry
            # where it carries our UID).
            for participant in participants:
                if participant.by_calendar:
                    participant.by_email, participant.by_calendar, told_by_email = True, False, True
        if _invitations_waiting(invite):
            # Nobody was invited yet, so nobody is told of a cancellation, and the waiting invitations are never
            # sent.
            invite.meeting_status, invite.meeting_error = MeetingStatus.FAILED, "The interview was cancelled first."
            invite.save(update_fields=["meeting_status", "meeting_error", "updated_at"])
            participants = []
        for audience, edited in ((Audience.CANDIDATE, candidate_wording),
                                 (Audience.INTERVIEWERS, interviewers_wording)):
            message = emails.send(interview=interview, plan=plan, participants=participants, audience=audience,
                                  purpose=Purpose.CANCELLATION, wording=edited)
            if message is not None:
                sent.append(message.pk)
        if invite is not None and sending.connection is not None:
            # A calendar waiting for reconnection cancels its event once reconnected and retried.
            _queue_calendar_sync(interview)
        detail = f"Cancelled: “{reason}”" if reason else "Cancelled"
        if note:
            detail += f"; note to the candidate: “{note}”"
        if told_by_email:
            detail += f"; {sending.lost_reason}: the people it invited were told by email"
        _record(interview, actor, "cancelled", detail, {"messages": sent, "sequence": interview.sequence, "by": by,
                                                         "reason": reason, "note": note,
                                                         "calendar_lost": _lost(sending) if told_by_email else None})
    return interview


def _when(interview: Interview) -> str:
    local = interview.start.astimezone(ZoneInfo(interview.time_zone))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({interview.time_zone})"


def _lost(sending) -> dict:
    """The calendar an interview lost (disconnected, or waiting for reconnection), as its history names it."""
    return {"calendar": sending.label, "reconnect": sending.connection is not None}


def _record(interview: Interview, actor: User | None, kind: str, detail: str, data: dict) -> None:
    """One entry in the company's audit trail, which is also the interview's history (its page reads the entries
    about it): `detail` is what that page shows, the summary says which interview for the admins' log. Pages say
    it in their reader's language from the data (scheduling/sentences.py): the interview's time, title and
    candidate as they are now."""
    audit_record(company=interview.company, actor=actor, action=f"interview.{kind}", target=interview,
                 summary=f"{interview.title} with {interview.candidate.full_name}: {detail}",
                 detail=detail, title=interview.title, candidate=interview.candidate.full_name,
                 start=interview.start.isoformat(), end=interview.end.isoformat(), time_zone=interview.time_zone,
                 **data)


def _queue_calendar_sync(interview: Interview) -> None:
    queue_after_commit(calendar_invite_sync_task, company_id=interview.company_id, interview_id=interview.pk)


def calendar_invite_retry(*, interview: Interview, actor: User) -> CalendarInvite:
    """A person pressed Retry: another round of attempts at a failed provider write, and at a meeting link the
    calendar could not make (the invitations went out without it; once it exists, the people invited get an
    update with it: calendar_channel)."""
    with transaction.atomic():
        # The interview first, as a cancel locks them: a meeting is not retried for an interview being cancelled.
        interview = Interview.objects.select_for_update().get(pk=interview.pk, company=interview.company)
        invite = CalendarInvite.objects.select_for_update().get(interview=interview, company=interview.company)
        failed = invite.status == CalendarInvite.Status.FAILED
        meeting = meeting_retry_open(invite, interview)
        if not failed and not meeting:
            return invite
        if failed:
            invite.status, invite.attempts, invite.last_error = CalendarInvite.Status.PENDING, 0, ""
        invite.save(update_fields=["status", "attempts", "last_error", "meeting_status", "meeting_error",
                                   "meeting_request", "updated_at"])
        if meeting:
            label = interview.get_online_meeting_display()
            detail = (f"Retried the {invite.provider_label} invitation and the {label} link" if failed
                      else f"Retried the {label} link")
            _record(interview, actor, "meeting_retry", detail, {"calendar": failed, "provider": invite.provider,
                                                                 "meeting": interview.online_meeting})
        else:
            _record(interview, actor, "calendar_retry", f"Retried the {invite.provider_label} invitation",
                    {"provider": invite.provider})
        _queue_calendar_sync(interview)
    return invite
