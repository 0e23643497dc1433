"""Scheduling links: the candidate picks a time out of those that work for the interviewers.

The recruiter sends a request (who interviews: a panel, any N of a pool, or both; the window and the rules); the
candidate books, reschedules or cancels through the link. Booking goes through the wizard's own services
(services.interview_schedule and friends), so the invitations, provider events and ledger are the same.

Concurrency: a booking locks the request row, then the rows of every member it may need, in id order, before
checking the slot again on fresh data. Two bookings that share an interviewer therefore run one after the other,
and the second sees the first's interview: one slot, one interview; a pool member's limit holds.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time as clock
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_scopes import scope

from calendars.models import CalendarConnection
from calendars.providers.base import ProviderError
from calendars.sync.engine import SyncDeferred, connection_sync
from mailbox.addresses import Address
from mailbox.services import message_send
from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate, Job
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.models import Membership
from recruitee.tenancy.refusals import refusals_recorded
from recruitee.tenancy.services import audit_record

from . import emails
from .invitation_calendar import account_label, request_calendar
from .models import Audience, Interview, Purpose, SchedulingRequest, SchedulingRequestMember
from .placeholders import RenderedTooLong, UnknownPlaceholder
from .plan import Plan
from .selectors import organizer_connection
from .services import Channels, interview_cancel, interview_reschedule, interview_schedule
from .slot_inputs import people_for
from .slots import Person, Rules, Slot, SlotResult, compute_slots

logger = logging.getLogger(__name__)

MAX_WINDOW_DAYS = 60
# Before a booking, a calendar synced longer ago than this is synced again (a push notification may have been
# lost), as long as the refresh stays within the budget: the candidate is waiting.
STALE_AFTER = timedelta(minutes=5)
REFRESH_BUDGET_SECONDS = 4.0
BY_CANDIDATE = "the candidate"  # who acted, in the interview's history, when the candidate uses the link


class SlotTaken(Exception):
    """The chosen time is no longer free (booked meanwhile, a calendar changed, a limit reached)."""


class RequestClosed(Exception):
    """The link can no longer be used for this: withdrawn, expired, already booked, past the cutoff, ..."""


@dataclass(frozen=True)
class RequestSpec:
    kind: str
    title: str
    duration: timedelta
    first_day: date
    last_day: date
    time_zone: str
    notice: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    location: str
    video_link: str
    note: str
    panel: list[Membership]
    pool: list[Membership]
    pool_size: int
    show_interviewer_names: bool
    candidate_via: Channels
    interviewers_via: Channels
    job: Job | None
    online_meeting: str = ""  # OnlineMeeting: made in the organizer's calendar when the candidate books
    # The organizer's calendar chosen to send from (None: their calendar for invitations).
    connection: CalendarConnection | None = None

    @classmethod
    def of(cls, request: SchedulingRequest) -> RequestSpec:
        rows = list(request.members.select_related("member__user", "member__company").order_by("member_id"))
        return cls(
            kind=request.kind, title=request.title, duration=timedelta(minutes=request.duration_minutes),
            first_day=request.first_day, last_day=request.last_day, time_zone=request.time_zone,
            notice=timedelta(minutes=request.notice_minutes),
            buffer_before=timedelta(minutes=request.buffer_before_minutes),
            buffer_after=timedelta(minutes=request.buffer_after_minutes),
            location=request.location, video_link=request.video_link, note=request.note,
            panel=[row.member for row in rows if row.role == SchedulingRequestMember.Role.PANEL],
            pool=[row.member for row in rows if row.role == SchedulingRequestMember.Role.POOL],
            pool_size=request.pool_size, show_interviewer_names=request.show_interviewer_names,
            candidate_via=Channels(email=request.candidate_by_email, calendar=request.candidate_by_calendar),
            interviewers_via=Channels(email=request.interviewers_by_email,
                                      calendar=request.interviewers_by_calendar),
            job=request.job, online_meeting=request.online_meeting, connection=request.calendar_connection,
        )

    def rules(self, *, now: datetime) -> Rules:
        return Rules(first_day=self.first_day, last_day=self.last_day, zone=self.time_zone, duration=self.duration,
                     now=now, notice=self.notice, buffer_before=self.buffer_before, buffer_after=self.buffer_after)


@dataclass
class DayPreview:
    day: date
    slots: int
    reasons: list[str]


@dataclass
class Preview:
    slot_count: int
    days: list[DayPreview]
    problems: list[str]


def default_window(*, today: date, working_days: int = 10) -> tuple[date, date]:
    """From the next working day on, `working_days` Monday-to-Friday days."""
    days: list[date] = []
    day = today
    while len(days) < working_days:
        day += timedelta(days=1)
        if day.isoweekday() <= 5:
            days.append(day)
    return days[0], days[-1]


def _check_spec(organizer: Membership, candidate: Candidate, spec: RequestSpec) -> None:
    company_id = organizer.company_id
    if candidate.company_id != company_id or any(m.company_id != company_id for m in [*spec.panel, *spec.pool]):
        raise ValidationError("Interviewers and the candidate must belong to this company.")
    if not spec.panel and not spec.pool:
        raise ValidationError("Choose at least one interviewer.")
    if {m.pk for m in spec.panel} & {m.pk for m in spec.pool}:
        raise ValidationError("A person can be on the panel or in the pool, not both.")
    if spec.pool and not 1 <= spec.pool_size <= len(spec.pool):
        raise ValidationError(f"Choose how many of the pool interview: between 1 and {len(spec.pool)}.")
    if not spec.pool and spec.pool_size:
        raise ValidationError("Choose the pool's members, or set the pool's number to none.")
    if spec.last_day < spec.first_day:
        raise ValidationError("The window's last day must not be before its first day.")
    if (spec.last_day - spec.first_day).days >= MAX_WINDOW_DAYS:
        raise ValidationError(f"The window can be at most {MAX_WINDOW_DAYS} days long.")
    if not timedelta(minutes=5) <= spec.duration <= timedelta(hours=8):
        raise ValidationError("The duration must be between 5 minutes and 8 hours.")
    if not spec.candidate_via.any:
        raise ValidationError("Choose how to invite the candidate.")
    if not spec.interviewers_via.any:
        raise ValidationError("Choose how to invite the interviewers.")
    connection = spec.connection or organizer_connection(organizer)
    if (spec.candidate_via.calendar or spec.interviewers_via.calendar) and connection is None:
        raise ValidationError("Inviting by calendar needs a connected calendar of yours.")
    if spec.connection is not None and (spec.connection.member_id != organizer.pk
                                        or spec.connection.status != CalendarConnection.Status.ACTIVE):
        raise ValidationError(f"{spec.connection} is no longer connected: choose another calendar to send from.")


def _compute(spec: RequestSpec, *, now: datetime, exclude: Interview | None = None,
             people: dict[int, Person] | None = None) -> SlotResult:
    rules = spec.rules(now=now)
    if people is None:
        people = people_for([*spec.panel, *spec.pool], rules, exclude=exclude)
    return compute_slots(panel=[people[m.pk] for m in spec.panel], pool=[people[m.pk] for m in spec.pool],
                         pool_needed=spec.pool_size if spec.pool else 0, rules=rules)


def request_preview(*, organizer: Membership, candidate: Candidate, spec: RequestSpec) -> Preview:
    """What the candidate would see now: how many slots, and for each window day its count or why it has none."""
    result = _compute(spec, now=timezone.now())
    zone = ZoneInfo(spec.time_zone)
    per_day: dict[date, int] = {}
    for slot in result.slots:
        day = slot.start.astimezone(zone).date()
        per_day[day] = per_day.get(day, 0) + 1
    days = []
    day = spec.first_day
    while day <= spec.last_day:
        days.append(DayPreview(day=day, slots=per_day.get(day, 0), reasons=result.empty_days.get(day, [])))
        day += timedelta(days=1)
    return Preview(slot_count=len(result.slots), days=days, problems=list(result.problems))


def offered_slots(scheduling_request: SchedulingRequest) -> list[Slot]:
    """The slots the candidate's page offers now (for a booked request: where it could move to)."""
    exclude = scheduling_request.interview if scheduling_request.status == SchedulingRequest.Status.BOOKED else None
    return _compute(RequestSpec.of(scheduling_request), now=timezone.now(), exclude=exclude).slots


# ---- tokens and links ------------------------------------------------------------------------------------------

def new_token(company_id: int) -> str:
    """A link's token: the company's id, then 256 random bits. The id lets the public page open that company's
    scope before it looks for the link (as push channels' ids do), so no lookup ever crosses companies; the random
    part makes the link unguessable, and only the hash of the whole token is stored."""
    return f"{company_id}-{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def booking_link(token: str) -> str:
    return settings.SITE_URL + reverse("booking:page", kwargs={"token": token})


def request_for_token(token: str) -> SchedulingRequest | None:
    """The request a link's token belongs to (see new_token), looked for in the company the token names only; the
    caller opens the request's company scope before reading anything else."""
    company, separator, _random = (token or "").partition("-")
    if not separator or not company.isascii() or not company.isdigit() or len(company) > 18 or len(token) > 100:
        return None
    with scope(company=int(company)):
        return (SchedulingRequest.objects.select_related("company", "candidate", "organizer__user", "job",
                                                         "interview")
                .filter(company_id=int(company), token_hash=token_hash(token)).first())


def expires_at(scheduling_request: SchedulingRequest) -> datetime:
    """Unbooked links end with their window (the end of its last day in its zone)."""
    zone = ZoneInfo(scheduling_request.time_zone)
    return datetime.combine(scheduling_request.last_day + timedelta(days=1), time(), tzinfo=zone)


def request_display_status(scheduling_request: SchedulingRequest) -> str:
    open_statuses = (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)
    if scheduling_request.status in open_statuses and timezone.now() >= expires_at(scheduling_request):
        return gettext("Expired")
    return str(SchedulingRequest.Status(scheduling_request.status).label)


def is_bookable(scheduling_request: SchedulingRequest) -> bool:
    return (scheduling_request.status in (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)
            and timezone.now() < expires_at(scheduling_request))


def change_deadline(scheduling_request: SchedulingRequest) -> datetime | None:
    """Until when the candidate may still reschedule or cancel what they booked (None: nothing booked)."""
    interview = scheduling_request.interview
    if scheduling_request.status != SchedulingRequest.Status.BOOKED or interview is None or interview.is_cancelled:
        return None
    return interview.start - timedelta(hours=scheduling_request.company.candidate_change_cutoff_hours)


def can_change(scheduling_request: SchedulingRequest) -> bool:
    deadline = change_deadline(scheduling_request)
    return deadline is not None and timezone.now() < deadline


def can_reschedule(scheduling_request: SchedulingRequest) -> bool:
    return (can_change(scheduling_request)
            and scheduling_request.reschedules < scheduling_request.company.candidate_max_reschedules)


# ---- the link email ---------------------------------------------------------------------------------------------

def _sample_plan(organizer: Membership, candidate: Candidate, spec: RequestSpec) -> Plan:
    start = datetime.combine(spec.first_day, time(10), tzinfo=ZoneInfo(spec.time_zone))
    return Plan(kind=spec.kind, title=spec.title, start=start, end=start + spec.duration, time_zone=spec.time_zone,
                candidate=candidate, job=spec.job, organizer=organizer, interviewers=[*spec.panel],
                location=spec.location, video_link=spec.video_link, note=spec.note)


def link_wording_values(*, organizer: Membership, candidate: Candidate, spec: RequestSpec, link: str,
                        language: str | None = None) -> dict[str, str]:
    """Placeholder values of the link email, in the candidate's language (or `language`). No time is chosen yet:
    the date and time placeholders stay empty."""
    zone_name = candidate.time_zone or spec.time_zone
    language = language or candidate_language(candidate)
    values = emails.values_for(_sample_plan(organizer, candidate, spec), zone_name, language=language)
    for name in ("event_date", "event_time", "event_end_time", "previous_event_date", "previous_event_time"):
        values[name] = ""
    if not spec.show_interviewer_names:
        values["interviewers"] = ""
    last = spec.last_day
    values["scheduling_link"] = link
    with translation.override(language):
        values["scheduling_deadline"] = emails.date_words(last)
    return values


def _send_link(scheduling_request: SchedulingRequest, *, organizer: Membership, spec: RequestSpec,
               wording: emails.Wording, token: str) -> None:
    candidate = scheduling_request.candidate
    try:
        rendered = emails.render(wording, link_wording_values(organizer=organizer, candidate=candidate, spec=spec,
                                                              link=booking_link(token)))
    except (UnknownPlaceholder, RenderedTooLong) as error:
        raise ValidationError(f"The email: {error}") from None
    if "/book/" not in rendered.text:
        raise ValidationError("The email must contain {scheduling_link}: without it the candidate cannot book.")
    message = message_send(
        company=scheduling_request.company, audience=Audience.CANDIDATE,
        to=[Address(email=candidate.email, name=candidate.full_name)], subject=rendered.subject,
        text=rendered.text, sender=organizer, candidate=candidate,
    )
    scheduling_request.link_message = message
    scheduling_request.save(update_fields=["link_message", "updated_at"])


def _record(scheduling_request: SchedulingRequest, actor: User | None, kind: str, detail: str, **data) -> None:
    audit_record(company=scheduling_request.company, actor=actor, action=f"scheduling_link.{kind}",
                 target=scheduling_request,
                 summary=f"Scheduling link “{scheduling_request.title}” for "
                         f"{scheduling_request.candidate.full_name}: {detail}",
                 detail=detail, title=scheduling_request.title, candidate=scheduling_request.candidate.full_name,
                 **data)


def scheduling_request_send(*, organizer: Membership, candidate: Candidate, spec: RequestSpec,
                            wording: emails.Wording, actor: User) -> SchedulingRequest:
    """Create the request and email the candidate its link. Raises ValidationError (nothing is written then),
    also when the link would offer no time at all: it would only send the candidate to an empty page."""
    _check_spec(organizer, candidate, spec)
    offered = _compute(spec, now=timezone.now())
    if not offered.slots:
        why = " ".join(offered.problems)
        raise ValidationError(f"The link would offer no times to choose from. {why} Change the interviewers, the "
                              "window or the rules, then send it.".replace("  ", " "))
    token = new_token(organizer.company_id)
    connection = spec.connection or organizer_connection(organizer)
    with refusals_recorded(), transaction.atomic():
        scheduling_request = SchedulingRequest.objects.create(
            calendar_connection=connection, calendar_account=account_label(connection) if connection else "",
            company=organizer.company, candidate=candidate, job=spec.job, organizer=organizer, created_by=actor,
            kind=spec.kind, title=spec.title, duration_minutes=int(spec.duration.total_seconds() // 60),
            first_day=spec.first_day, last_day=spec.last_day, time_zone=spec.time_zone,
            notice_minutes=int(spec.notice.total_seconds() // 60),
            buffer_before_minutes=int(spec.buffer_before.total_seconds() // 60),
            buffer_after_minutes=int(spec.buffer_after.total_seconds() // 60),
            location=spec.location, video_link=spec.video_link, online_meeting=spec.online_meeting, note=spec.note,
            pool_size=spec.pool_size if spec.pool else 0, show_interviewer_names=spec.show_interviewer_names,
            candidate_by_email=spec.candidate_via.email, candidate_by_calendar=spec.candidate_via.calendar,
            interviewers_by_email=spec.interviewers_via.email,
            interviewers_by_calendar=spec.interviewers_via.calendar,
            token_hash=token_hash(token), sent_at=timezone.now(),
        )
        SchedulingRequestMember.objects.bulk_create(
            [SchedulingRequestMember(company=organizer.company, request=scheduling_request, member=member,
                                     role=SchedulingRequestMember.Role.PANEL) for member in spec.panel]
            + [SchedulingRequestMember(company=organizer.company, request=scheduling_request, member=member,
                                       role=SchedulingRequestMember.Role.POOL) for member in spec.pool]
        )
        _send_link(scheduling_request, organizer=organizer, spec=spec, wording=wording, token=token)
        _record(scheduling_request, actor, "sent", f"link sent to {candidate.email}",
                panel=[m.pk for m in spec.panel], pool=[m.pk for m in spec.pool], pool_size=spec.pool_size,
                email=candidate.email)
    return scheduling_request


def scheduling_request_withdraw(*, scheduling_request: SchedulingRequest, actor: User) -> SchedulingRequest:
    """The link stops working. A booked interview stays (cancel it on its own page)."""
    with transaction.atomic():
        locked = SchedulingRequest.objects.select_for_update().get(pk=scheduling_request.pk,
                                                                    company=scheduling_request.company)
        if locked.status not in (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED):
            raise ValidationError("Only a link that has not been booked can be withdrawn.")
        locked.status, locked.closed_at = SchedulingRequest.Status.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _record(locked, actor, "withdrawn", "withdrawn")
    return locked


def scheduling_request_resend(*, scheduling_request: SchedulingRequest, actor: User) -> SchedulingRequest:
    """A new link in a new email; the old link stops working. The window and the rules stay as they were."""
    token = new_token(scheduling_request.company_id)
    with refusals_recorded(), transaction.atomic():
        locked = SchedulingRequest.objects.select_for_update().select_related("candidate", "organizer__user").get(
            pk=scheduling_request.pk, company=scheduling_request.company)
        if locked.status not in (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED):
            raise ValidationError("Only a link that has not been booked can be sent again.")
        if timezone.now() >= expires_at(locked):
            raise ValidationError("The link's window has passed: send a new scheduling link instead.")
        locked.token_hash, locked.status, locked.sent_at = token_hash(token), SchedulingRequest.Status.SENT, \
            timezone.now()
        locked.opened_at = None
        locked.save(update_fields=["token_hash", "status", "sent_at", "opened_at", "updated_at"])
        wording = emails.company_wording(locked.company, Audience.CANDIDATE, Purpose.SCHEDULING_LINK,
                                         candidate_language(locked.candidate))
        _send_link(locked, organizer=locked.organizer, spec=RequestSpec.of(locked), wording=wording, token=token)
        _record(locked, actor, "resent", f"link sent again to {locked.candidate.email}; the old link no longer works",
                email=locked.candidate.email)
    return locked


def scheduling_request_open(*, scheduling_request: SchedulingRequest) -> None:
    """The candidate opened the link (the first time counts)."""
    if scheduling_request.status == SchedulingRequest.Status.SENT:
        updated = SchedulingRequest.objects.filter(
            pk=scheduling_request.pk, company=scheduling_request.company, status=SchedulingRequest.Status.SENT,
        ).update(status=SchedulingRequest.Status.OPENED, opened_at=timezone.now())
        if updated:
            scheduling_request.status = SchedulingRequest.Status.OPENED
            _record(scheduling_request, None, "opened", "opened by the candidate")


# ---- booking, rescheduling and cancelling by the candidate ---------------------------------------------------

def _refresh_stale_calendars(members: list[Membership]) -> None:
    """Sync the calendars of these members whose last sync is older than STALE_AFTER, within the time budget.

    Best effort: a provider that is slow, rate-limited or failing leaves what was synced before, which the booking
    then uses (the regular sync and push keep going in the worker)."""
    started = clock.monotonic()
    stale = CalendarConnection.objects.filter(
        company=members[0].company_id, member__in=members, status=CalendarConnection.Status.ACTIVE,
        last_sync_at__lt=timezone.now() - STALE_AFTER,
    ).values_list("pk", flat=True)

    def no_waiting(seconds: float) -> None:
        raise SyncDeferred("Rate limited while a booking waits", countdown=seconds)

    for connection_id in stale:
        if clock.monotonic() - started > REFRESH_BUDGET_SECONDS:
            break
        try:
            connection_sync(connection_id=connection_id, sleep=no_waiting)
        except (ProviderError, SyncDeferred) as error:
            logger.info("Before a booking, the sync of connection %s did not finish: %s", connection_id, error)


def _lock_members(spec: RequestSpec) -> None:
    ids = sorted({m.pk for m in [*spec.panel, *spec.pool]})
    list(Membership.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _slot_at(result: SlotResult, start: datetime) -> Slot | None:
    return next((slot for slot in result.slots if slot.start == start), None)


def _interviewers(spec: RequestSpec, pool_ids: tuple[int, ...]) -> list[Membership]:
    pool = {m.pk: m for m in spec.pool}
    return [*spec.panel, *(pool[i] for i in pool_ids if i in pool)]


def scheduling_request_book(*, scheduling_request: SchedulingRequest, start: datetime) -> Interview:
    """Book the slot starting at `start` for the candidate. Raises RequestClosed or SlotTaken (nothing written)."""
    spec = RequestSpec.of(scheduling_request)
    _refresh_stale_calendars([*spec.panel, *spec.pool])
    with refusals_recorded(), transaction.atomic():  # a sending limit's refusal is audited after the rollback
        locked = SchedulingRequest.objects.select_for_update(of=("self",)).select_related(
            "company", "candidate", "organizer__user", "job").get(pk=scheduling_request.pk,
                                                                  company=scheduling_request.company)
        if not is_bookable(locked):
            raise RequestClosed("This link can no longer be used to book.")
        _lock_members(spec)
        slot = _slot_at(_compute(spec, now=timezone.now()), start)
        if slot is None:
            raise SlotTaken
        sending = request_calendar(locked)
        candidate_via, interviewers_via, online_meeting = spec.candidate_via, spec.interviewers_via, spec.online_meeting
        fallback = sending.lost and bool(spec.candidate_via.calendar or spec.interviewers_via.calendar
                                         or spec.online_meeting)
        if fallback:
            # The calendar the link was to send from is gone: the candidate's booking still stands, and everyone is
            # invited by our email (without the calendar's meeting); the history says why.
            candidate_via, interviewers_via = Channels(email=True), Channels(email=True)
            online_meeting = ""
        plan = Plan(kind=spec.kind, title=spec.title, start=slot.start, end=slot.end, time_zone=spec.time_zone,
                    candidate=locked.candidate, job=spec.job, organizer=locked.organizer,
                    interviewers=_interviewers(spec, slot.pool_ids), location=spec.location,
                    video_link=spec.video_link, online_meeting=online_meeting, note=spec.note)
        interview = interview_schedule(
            plan=plan, candidate_via=candidate_via, interviewers_via=interviewers_via,
            candidate_wording=emails.company_wording(locked.company, Audience.CANDIDATE, Purpose.INVITATION,
                                                     emails.recipient_language(plan, Audience.CANDIDATE)),
            interviewers_wording=emails.company_wording(locked.company, Audience.INTERVIEWERS, Purpose.INVITATION,
                                                        emails.recipient_language(plan, Audience.INTERVIEWERS)),
            actor=None, by=BY_CANDIDATE, connection=sending.connection if sending.usable else None,
        )
        locked.status, locked.booked_at, locked.interview = SchedulingRequest.Status.BOOKED, timezone.now(), interview
        locked.save(update_fields=["status", "booked_at", "interview", "updated_at"])
        detail = f"booked by the candidate for {_local(slot.start, spec.time_zone)}"
        if fallback:
            detail += f"; {sending.lost_reason}, so everyone was invited by email"
        _record(locked, None, "booked", detail, interview=interview.pk,
                interviewers=[m.pk for m in plan.interviewers], start=slot.start.isoformat(),
                calendar_lost={"calendar": sending.label, "reconnect": sending.connection is not None}
                if fallback else None)
    return interview


def scheduling_request_reschedule(*, scheduling_request: SchedulingRequest, start: datetime) -> Interview:
    """Move the booked interview to the slot at `start` (SEQUENCE + 1, update messages). The same interviewers
    stay when they are free then; otherwise the pool is picked again."""
    spec = RequestSpec.of(scheduling_request)
    _refresh_stale_calendars([*spec.panel, *spec.pool])
    with refusals_recorded(), transaction.atomic():  # a sending limit's refusal is audited after the rollback
        locked = SchedulingRequest.objects.select_for_update(of=("self",)).select_related("company", "interview").get(
            pk=scheduling_request.pk, company=scheduling_request.company)
        if not can_reschedule(locked):
            raise RequestClosed("This interview can no longer be moved through the link.")
        interview = locked.interview
        _lock_members(spec)
        now = timezone.now()
        people = people_for([*spec.panel, *spec.pool], spec.rules(now=now), exclude=interview)
        plan = Plan.of(interview)
        current = {m.pk for m in plan.interviewers}
        kept_pool = [m for m in spec.pool if m.pk in current]
        same_people = replace(spec, panel=[*spec.panel, *kept_pool], pool=[], pool_size=0)
        slot, pool_ids = None, ()
        if len(kept_pool) == spec.pool_size:
            slot = _slot_at(_compute(same_people, now=now, people=people), start)
            pool_ids = tuple(m.pk for m in kept_pool)
        if slot is None:
            slot = _slot_at(_compute(spec, now=now, people=people), start)
            pool_ids = slot.pool_ids if slot else ()
        if slot is None:
            raise SlotTaken
        plan.start, plan.end, plan.interviewers = slot.start, slot.end, _interviewers(spec, pool_ids)
        previous = interview.start
        interview = interview_reschedule(interview=interview, plan=plan, actor=None, by=BY_CANDIDATE)
        locked.reschedules += 1
        locked.save(update_fields=["reschedules", "updated_at"])
        _record(locked, None, "rescheduled",
                f"moved by the candidate from {_local(previous, spec.time_zone)} to "
                f"{_local(slot.start, spec.time_zone)}", interview=interview.pk, previous_start=previous.isoformat(),
                start=slot.start.isoformat())
    return interview


def scheduling_request_cancel(*, scheduling_request: SchedulingRequest, reason: str) -> Interview:
    """The candidate cancels what they booked; `reason` (optional) is shown to the recruiter."""
    with transaction.atomic():
        locked = SchedulingRequest.objects.select_for_update(of=("self",)).select_related("company", "interview").get(
            pk=scheduling_request.pk, company=scheduling_request.company)
        if not can_change(locked):
            raise RequestClosed("This interview can no longer be cancelled through the link.")
        reason = " ".join(reason.split())[:2000]
        interview = interview_cancel(interview=locked.interview, actor=None, by=BY_CANDIDATE, reason=reason)
        locked.status, locked.closed_at, locked.cancel_reason = (SchedulingRequest.Status.CANCELLED,
                                                                timezone.now(), reason)
        locked.save(update_fields=["status", "closed_at", "cancel_reason", "updated_at"])
        detail = "cancelled by the candidate" + (f": “{locked.cancel_reason}”" if locked.cancel_reason else "")
        _record(locked, None, "cancelled", detail, interview=interview.pk, reason=locked.cancel_reason)
    return interview


def _local(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} ({zone_name})"

