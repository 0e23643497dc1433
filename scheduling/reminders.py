"""Reminders before an interview: when a company sends them (settings per audience), and the beat's sweep that
sends the due ones by email, each once per participant, offset and interview version (SEQUENCE).

A reschedule raises SEQUENCE, so the new version's reminders follow the new time and the old version's are never
sent; a cancelled interview is not read at all. A reminder more than GRACE past its time (the beat or every worker
was down), or one whose time had come before the interview was scheduled or last changed, is recorded as skipped
instead of arriving late.

Each reminder goes to one person and is written in their language: the candidate's (candidate_language), an
interviewer's own (member_language), with dates in that language and their zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mailbox.addresses import Address
from mailbox.models import Message
from mailbox.services import message_send
from recruitee.accounts.models import User
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.languages import member_language
from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

from . import emails
from .models import (
    Audience,
    Interview,
    InterviewMessage,
    Participant,
    Purpose,
    ReminderDelivery,
    ReminderOffset,
    ReminderSettings,
)
from .placeholders import RenderedTooLong, UnknownPlaceholder
from .plan import Plan

logger = logging.getLogger(__name__)

# A reminder whose time passed longer ago than this is not sent late.
GRACE = timedelta(hours=1)
LONGEST_OFFSET = timedelta(minutes=max(ReminderOffset.values))

_FIELDS = {"candidate_offsets": "candidates", "interviewer_offsets": "interviewers"}


# --- settings ------------------------------------------------------------------------------------------------


def reminder_settings_of(company: Company) -> ReminderSettings:
    """The company's reminder settings; the defaults (not saved) when it never changed them."""
    return ReminderSettings.objects.filter(company=company).first() or ReminderSettings(company=company)


def describe_offsets(offsets: list[int]) -> str:
    if not offsets:
        return "off"
    return ", ".join(str(ReminderOffset(offset).label) for offset in sorted(offsets, reverse=True))


def _normalized(field: str, offsets: list[int]) -> list[int]:
    try:
        values = sorted({int(offset) for offset in offsets}, reverse=True)
    except (TypeError, ValueError):
        values = None
    if values is None or any(value not in ReminderOffset.values for value in values):
        raise ValidationError({field: "Choose reminder times from the list."})
    return values


def reminder_settings_save(*, company: Company, candidate_offsets: list[int], interviewer_offsets: list[int],
                           actor: User) -> ReminderSettings:
    """When candidates and interviewers are reminded (an empty list: never). Audited when something changed."""
    wanted = {"candidate_offsets": _normalized("candidate_offsets", candidate_offsets),
              "interviewer_offsets": _normalized("interviewer_offsets", interviewer_offsets)}
    with transaction.atomic():
        stored, _ = ReminderSettings.objects.select_for_update().get_or_create(company=company)
        before = {field: sorted(getattr(stored, field), reverse=True) for field in wanted}
        if before == wanted:
            return stored
        for field, value in wanted.items():
            setattr(stored, field, value)
        stored.save()
        described = "; ".join(f"{who} {describe_offsets(wanted[field])}" for field, who in _FIELDS.items())
        audit_record(company=company, actor=actor, action="reminders.saved", target=stored,
                     summary=f"{actor} set interview reminders: {described}",
                     before=before, **wanted)
    return stored


# --- the sweep -----------------------------------------------------------------------------------------------


def companies_with_upcoming_interviews(*, now: datetime) -> list[int]:
    """The ids of companies with a scheduled interview that a reminder could be due for at `now`."""
    with across_tenants("beat: the companies with reminders that may be due"):
        return list(
            Company.objects.filter(interviews__status=Interview.Status.SCHEDULED, interviews__start__gt=now,
                                   interviews__start__lte=now + LONGEST_OFFSET)
            .distinct().order_by("pk").values_list("pk", flat=True)
        )


@dataclass(frozen=True)
class _Due:
    interview: Interview
    participant: Participant
    offset: int
    due_at: datetime

    def delivery(self, status: str) -> ReminderDelivery:
        return ReminderDelivery(company_id=self.interview.company_id, interview=self.interview,
                                participant=self.participant, offset_minutes=self.offset,
                                sequence=self.interview.sequence, due_at=self.due_at, status=status)


def reminders_send_due(*, company: Company, now: datetime) -> list[ReminderDelivery]:
    """Send the company's reminders that are due at `now` and not sent yet; returns the deliveries this call sent.

    Reads a bounded window (interviews starting within the longest offset the company uses) in a fixed number of
    queries; each reminder is then claimed by inserting its delivery row, so a second worker sweeping at the same
    time finds the row taken and sends nothing.
    """
    settings = reminder_settings_of(company)
    offsets = {Participant.Role.CANDIDATE: settings.candidate_offsets,
               Participant.Role.INTERVIEWER: settings.interviewer_offsets}
    longest = max([*settings.candidate_offsets, *settings.interviewer_offsets], default=0)
    if not longest:
        return []
    interviews = list(
        Interview.objects.filter(company=company, status=Interview.Status.SCHEDULED, start__gt=now,
                                 start__lte=now + timedelta(minutes=longest))
        .select_related("company", "candidate__company", "job", "organizer__user", "organizer__company")
        .prefetch_related("participants")
    )
    if not interviews:
        return []
    done = set(ReminderDelivery.objects.filter(company=company, interview__in=interviews)
               .values_list("participant_id", "offset_minutes", "sequence"))
    due: list[_Due] = []
    late: list[_Due] = []
    for interview in interviews:
        for participant in interview.participants.all():
            for offset in offsets[participant.role]:
                due_at = interview.start - timedelta(minutes=offset)
                if due_at > now or (participant.pk, offset, interview.sequence) in done:
                    continue
                # Due before this version of the interview was made (booked 20 hours ahead, a reminder a day
                # before): the invitation or update has just told them; a reminder on its heels is noise.
                on_time = due_at > now - GRACE and due_at > interview.updated_at
                (due if on_time else late).append(_Due(interview, participant, offset, due_at))
    if late:
        ReminderDelivery.objects.bulk_create([item.delivery(ReminderDelivery.Status.SKIPPED) for item in late],
                                             ignore_conflicts=True)
    sent = []
    plans: dict[int, Plan] = {}
    wordings: dict[tuple[str, str], emails.Wording] = {}
    for item in due:
        delivery = _claim_and_send(item, plans=plans, wordings=wordings)
        if delivery is not None:
            sent.append(delivery)
    return sent


def _claim_and_send(item: _Due, *, plans: dict[int, Plan], wordings: dict[tuple[str, str], emails.Wording],
                    ) -> ReminderDelivery | None:
    interview = item.interview
    with transaction.atomic():
        # Waits for a reschedule or cancel in progress (they lock the row too) and then sees whether this version
        # is still the one to remind of.
        still = (Interview.objects.select_for_update(no_key=True)
                 .filter(pk=interview.pk, company=interview.company_id, status=Interview.Status.SCHEDULED,
                         sequence=interview.sequence, start=interview.start)
                 .values_list("pk", flat=True))
        if not list(still):
            return None
        try:
            with transaction.atomic():
                delivery = item.delivery(ReminderDelivery.Status.CLAIMED)
                delivery.save()
        except IntegrityError:
            return None  # another worker claimed it (and sent it, or is sending it in its transaction)
        try:
            with transaction.atomic():
                if interview.pk not in plans:
                    plans[interview.pk] = Plan.of(interview)
                delivery.message = _send(interview, plans[interview.pk], item.participant, wordings)
        except (ValidationError, UnknownPlaceholder, RenderedTooLong) as error:
            # Trying again every minute would fail the same way: the row says it was not sent.
            logger.warning("Reminder %s min before interview %s for participant %s not sent: %s", item.offset,
                           interview.pk, item.participant.pk, error)
            delivery.status = ReminderDelivery.Status.SKIPPED
        else:
            delivery.status = ReminderDelivery.Status.SENT
        delivery.save(update_fields=["status", "message"])
    return delivery if delivery.status == ReminderDelivery.Status.SENT else None


def _language(plan: Plan, participant: Participant) -> str:
    if participant.role == Participant.Role.CANDIDATE:
        return candidate_language(plan.candidate)
    member = next((m for m in plan.interviewers if m.pk == participant.member_id), None)
    return member_language(member) if member is not None else emails.organizer_language(plan)


def _send(interview: Interview, plan: Plan, participant: Participant,
          wordings: dict[tuple[str, str], emails.Wording]) -> Message:
    """One email to one participant, in their own language and time zone, linked to the interview for its ledger.
    No .ics: the invitation already put the event in their calendar."""
    audience = Audience.CANDIDATE if participant.role == Participant.Role.CANDIDATE else Audience.INTERVIEWERS
    language = _language(plan, participant)
    if (audience, language) not in wordings:
        wordings[(audience, language)] = emails.company_wording(interview.company, audience, Purpose.REMINDER,
                                                                language)
    rendered = emails.render(wordings[(audience, language)],
                             emails.values_for(plan, participant.time_zone, language=language))
    message = message_send(
        company=interview.company, audience=audience, to=[Address(email=participant.email, name=participant.name)],
        subject=rendered.subject, text=rendered.text, sender=interview.organizer, candidate=interview.candidate,
        # Nobody triggers a reminder at the moment it goes out; like a cancellation it must arrive (it still counts).
        refusable=False,
    )
    InterviewMessage.objects.create(company=interview.company, interview=interview, message=message)
    return message
