"""Reads of the home page: the member's coming interviews, what needs them, what they still owe, and what happened.

It lives in scheduling, the top layer, because it is the one app that may read all the others (interviews,
scheduling links, the outbox, calendar connections, the core's audit trail). Every read is one query with a limit,
so the page costs the same with ten interviews or a hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from calendars.models import CalendarConnection
from mailbox.access import visible_to
from mailbox.models import Message
from mailbox.selectors import LIST_DEFERRED, SentFilters, sent_messages
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.audit_sentences import audit_by, audit_sentence
from recruitee.tenancy.models import AuditEntry, Membership

from .interview_list import InterviewRow, clock, day_label, interview_rows, taking_part, when_text, with_people
from .models import Interview, InterviewMessage, Participant, SchedulingRequest
from .outside_changes import outside_change_summary
from .selectors import LONGEST_INTERVIEW, declined_invitations, outside_changes
from .self_scheduling import expires_at

HOME_DAYS = 7  # today and the six days after it
UPCOMING_LIMIT = 30
ITEM_LIMIT = 10
ACTIVITY_LIMIT = 10
# An invitation nobody answered is worth a nudge this close to its start.
ANSWER_SOON = timedelta(hours=48)
# A scheduling link is worth a look this close to the end of its window, and for a while after it ended unbooked.
LINK_DEADLINE_SOON = timedelta(days=2)
LINK_EXPIRED_SHOWN = timedelta(days=14)
# What recruiters see of the company's trail (the whole trail is the admins' audit log).
RECRUITING_ACTIONS = ("candidate.", "job.", "interview.", "scheduling_link.")
PROBLEM = Q(status=CalendarConnection.Status.RECONNECT_NEEDED) | ~Q(last_error="")


@dataclass(frozen=True)
class Day:
    label: str
    day: date
    rows: list[InterviewRow]


@dataclass(frozen=True)
class Item:
    """One thing on the home page that needs someone, in words, with the page where it is dealt with."""

    kind: str  # declined, unanswered, calendar_change, failed_message, scheduling_link, calendar, answer_owed
    text: str
    detail: str
    url: str
    action: str


@dataclass(frozen=True)
class Activity:
    when: str
    sentence: str
    url: str


def _today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def upcoming(member: Membership, *, now: datetime, zone: ZoneInfo) -> tuple[list[Day], bool]:
    """The member's interviews from now to the end of the sixth day after today (in their zone), by day, and
    whether there are more than the page shows."""
    today = _today(now, zone)
    horizon = datetime.combine(today + timedelta(days=HOME_DAYS), time.min, tzinfo=zone)
    interviews = with_people(
        Interview.objects.filter(company=member.company_id, status=Interview.Status.SCHEDULED,
                                 start__gte=now - LONGEST_INTERVIEW, start__lt=horizon, end__gt=now)
        .filter(taking_part(member)), member.company_id).order_by("start", "pk")
    found = list(interviews[: UPCOMING_LIMIT + 1])
    days: list[Day] = []
    for row in interview_rows(found[:UPCOMING_LIMIT], zone=zone, now=now):
        if not days or days[-1].day != row.local_day:
            days.append(Day(label=row.day, day=row.local_day, rows=[]))
        days[-1].rows.append(row)
    return days, len(found) > UPCOMING_LIMIT


def _at(moment: datetime, zone: ZoneInfo, today: date, *, sentence_start: bool = False) -> str:
    """"tomorrow at 14:00", "Friday at 09:30", "Mon 3 Jun at 10:00" (with a capital at a sentence's start)."""
    local = moment.astimezone(zone)
    label = day_label(local.date(), today, in_sentence=not sentence_start)
    return pgettext("a day and a time in a sentence", "%(day)s at %(time)s") % {"day": label, "time": clock(local)}


def _interview_url(interview: Interview) -> str:
    return reverse("scheduling:interview-detail",
                   kwargs={"company_slug": interview.company.slug, "interview_id": interview.pk})


def _with(interview: Interview) -> str:
    return _("%(title)s with %(candidate)s") % {"title": interview.title, "candidate": interview.candidate.full_name}


def declines(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Item]:
    """Someone declined an interview the member organizes and that is still to come: the alert on top."""
    today = _today(now, zone)
    rows = declined_invitations(member).select_related("interview__company")[:ITEM_LIMIT]
    return [Item(kind="declined",
                 text=_("%(name)s declined %(interview)s") % {"name": p.name, "interview": _with(p.interview)},
                 detail=_("%(when)s. Find another time or another interviewer.") % {
                     "when": _at(p.interview.start, zone, today, sentence_start=True)},
                 url=_interview_url(p.interview), action=_("Open the interview"))
            for p in rows]


def unanswered(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Item]:
    """Invitations of the member's interviews starting within ANSWER_SOON that nobody answered yet. Only those sent
    by calendar: answers to email invitations never reach us, so their silence says nothing."""
    today = _today(now, zone)
    rows = (Participant.objects.filter(company=member.company_id, interview__organizer=member,
                                       interview__status=Interview.Status.SCHEDULED,
                                       interview__start__gte=now, interview__start__lt=now + ANSWER_SOON,
                                       response=Participant.Response.NEEDS_ACTION, by_calendar=True)
            .exclude(member=member)
            .select_related("interview__candidate", "interview__company")
            .order_by("interview__start", "name", "pk")[:ITEM_LIMIT])
    return [Item(kind="unanswered",
                 text=_("%(name)s has not answered the invitation to %(interview)s") % {
                     "name": p.name, "interview": _with(p.interview)},
                 detail=_("It starts %(when)s.") % {"when": _at(p.interview.start, zone, today)},
                 url=_interview_url(p.interview), action=_("Open the interview"))
            for p in rows]


def calendar_changes(member: Membership) -> list[Item]:
    """The member's interviews whose calendar event was moved, changed or deleted outside the app."""
    invites = outside_changes(member).select_related("interview__company")[:ITEM_LIMIT]
    return [Item(kind="calendar_change",
                 text=pgettext("an interview and what changed", "%(interview)s: %(change)s") % {
                     "interview": _with(invite.interview), "change": outside_change_summary(invite)},
                 detail=_("Apply the calendar's version or restore ours."), url=_interview_url(invite.interview),
                 action=_("Review the change"))
            for invite in invites]


def failed_messages(member: Membership) -> list[Item]:
    """Emails that could not be delivered: those the member sent, and those about interviews they organize (a
    reminder, a decline notice), as far as the mailbox lets them read them."""
    mine = sent_messages(member=member, filters=SentFilters(status=Message.Status.FAILED)).defer(*LIST_DEFERRED)
    about_mine = InterviewMessage.objects.filter(company=member.company_id,
                                                 interview__organizer=member).values("message_id")
    theirs = (Message.objects.filter(visible_to(member), company=member.company_id, status=Message.Status.FAILED,
                                     pk__in=about_mine)
              .defer(*LIST_DEFERRED).order_by("-created_at", "-id"))
    found = {message.pk: message for message in [*mine[:ITEM_LIMIT], *theirs[:ITEM_LIMIT]]}
    newest = sorted(found.values(), key=lambda m: (m.created_at, m.pk), reverse=True)[:ITEM_LIMIT]
    items = []
    for message in newest:
        to = message.to_addresses
        who = (to[0].name or to[0].email) if to else _("nobody")
        items.append(Item(
            kind="failed_message", text=_("Email to %(recipient)s could not be sent: “%(subject)s”") % {
                "recipient": who, "subject": message.subject},
            detail=message.last_error[:200] or _("The reason is on the message."),
            url=reverse("mailbox:message-detail",
                        kwargs={"company_slug": member.company.slug, "message_id": message.pk}),
            action=_("Open and retry")))
    return items


def stalled_links(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Item]:
    """The member's scheduling links the candidate has not booked, whose window ends soon or ended lately."""
    today = _today(now, zone)
    rows = (SchedulingRequest.objects.filter(
        company=member.company_id, organizer=member,
        status__in=(SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED),
        # Days in the link's own zone, so a day either side; expires_at below says exactly.
        last_day__lte=today + LINK_DEADLINE_SOON + timedelta(days=1),
        last_day__gte=today - LINK_EXPIRED_SHOWN)
        .select_related("candidate__company").order_by("last_day", "pk")[:ITEM_LIMIT])
    items = []
    for link in rows:
        if expires_at(link) > now + LINK_DEADLINE_SOON:
            continue
        last_day = day_label(link.last_day, today, in_sentence=True)
        if expires_at(link) <= now:
            detail = _("Its last day was %(day)s: send a new link or withdraw it.") % {"day": last_day}
        else:
            detail = _("It can be booked until the end of %(day)s.") % {"day": last_day}
        names = {"candidate": link.candidate.full_name, "title": link.title}
        if link.status == SchedulingRequest.Status.OPENED:
            text = _("%(candidate)s opened the link but has not booked “%(title)s”") % names
        else:
            text = _("%(candidate)s has not booked “%(title)s”") % names
        items.append(Item(
            kind="scheduling_link", text=text,
            detail=detail,
            url=reverse("recruiting:candidate-detail",
                        kwargs={"company_slug": link.candidate.company.slug, "candidate_id": link.candidate_id}),
            action=_("Resend or withdraw")))
    return items


def calendar_problems(member: Membership) -> list[Item]:
    """The member's calendar connections that stopped syncing; for admins also how many of the team's did."""
    slug = member.company.slug
    items = []
    # Those to reconnect first ("reconnect_needed" sorts after "active").
    for connection in (CalendarConnection.objects.filter(PROBLEM, company=member.company_id, member=member)
                       .order_by("-status", "provider", "account_email")):
        if connection.needs_reconnect:
            items.append(Item(kind="calendar", text=_("%(calendar)s needs to be reconnected") % {
                                  "calendar": connection},
                              detail=_("Until then your busy times and answers are not kept up to date."),
                              url=reverse("calendars:connect", kwargs={"company_slug": slug,
                                                                       "provider": connection.provider}),
                              action=_("Reconnect")))
        else:
            items.append(Item(kind="calendar", text=_("The last sync of %(calendar)s failed") % {
                                  "calendar": connection},
                              detail=_sync_error(connection),
                              url=reverse("calendars:index", kwargs={"company_slug": slug}), action=_("Sync again")))
    if member.is_admin:
        others = (CalendarConnection.objects.filter(PROBLEM, company=member.company_id).exclude(member=member)
                  .values("pk")[:100].count())
        if others:
            items.append(Item(kind="calendar",
                              text=ngettext("%(count)d of your team’s calendars stopped syncing",
                                            "%(count)d of your team’s calendars stopped syncing", others)
                              % {"count": others},
                              detail=_("Their owners were told; you can see why."),
                              url=reverse("calendars:admin", kwargs={"company_slug": slug}),
                              action=_("See calendar connections")))
    return items


def _sync_error(connection: CalendarConnection) -> str:
    """Why the last sync failed, in the reader's language, then the details as recorded (calendars/_sync_error.html
    says it the same way)."""
    details = connection.last_error[:200]
    reason = connection.last_error_reason
    if not reason:
        return details
    return pgettext("a sync error and its details", "%(reason)s (details: %(details)s)") % {
        "reason": reason, "details": details}


def answers_owed(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Item]:
    """Invitations to the member's calendar, for interviews still to come, that they have not answered."""
    today = _today(now, zone)
    rows = (Participant.objects.filter(company=member.company_id, member=member,
                                       response=Participant.Response.NEEDS_ACTION, by_calendar=True,
                                       interview__status=Interview.Status.SCHEDULED,
                                       interview__start__gte=now - LONGEST_INTERVIEW, interview__end__gt=now)
            .exclude(interview__organizer=member)
            .select_related("interview__candidate", "interview__company")
            .order_by("interview__start", "pk")[:ITEM_LIMIT])
    return [Item(kind="answer_owed", text=_("Answer the invitation to %(interview)s") % {
                     "interview": _with(p.interview)},
                 detail=_("%(when)s. Accept or decline it in your calendar.") % {
                     "when": _at(p.interview.start, zone, today, sentence_start=True)},
                 url=_interview_url(p.interview), action=_("See the interview"))
            for p in rows]


def needs_attention(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Item]:
    """Everything but the declines (shown above it all), most urgent kind first."""
    return [*unanswered(member, now=now, zone=zone), *calendar_changes(member), *failed_messages(member),
            *stalled_links(member, now=now, zone=zone), *calendar_problems(member),
            *answers_owed(member, now=now, zone=zone)]


def _sentence(entry: AuditEntry) -> str:
    """The entry in the reader's language; those about interviews and links do not name who did it, so it is
    added ("… — by Dana", "… — by the system")."""
    text = audit_sentence(entry)
    if entry.action.startswith(("interview.", "scheduling_link.")):
        by = audit_by(entry)
        if by:
            return pgettext("an audit entry and who did it", "%(summary)s — %(by)s") % {"summary": text, "by": by}
    return text


def _existing(model, ids: set[int], company_id: int) -> set[int]:
    if not ids:
        return set()
    return set(model.objects.filter(company=company_id, pk__in=ids).values_list("pk", flat=True))


def recent_activity(member: Membership, *, now: datetime, zone: ZoneInfo) -> list[Activity]:
    """The company's latest entries (for recruiters those about candidates, jobs, interviews and scheduling
    links; admins see everything, as in the audit log), each with a link to what it is about while that exists."""
    today = _today(now, zone)
    entries = AuditEntry.objects.filter(company=member.company_id).select_related("actor")
    if not member.is_admin:
        entries = entries.filter(reduce(or_, [Q(action__startswith=prefix) for prefix in RECRUITING_ACTIONS]))
    entries = list(entries.order_by("-created_at", "-id")[:ACTIVITY_LIMIT])

    def about(entry: AuditEntry) -> tuple[str, int | None]:
        if entry.target_type == "scheduling.interview":
            return "interview", entry.target_id
        for kind in ("candidate", "job"):
            value = entry.data.get(f"{kind}_id")
            if entry.action.startswith(f"{kind}.") and entry.action != f"{kind}.deleted" and isinstance(value, int):
                return kind, value
        return "", None

    targets = {entry.pk: about(entry) for entry in entries}
    wanted = {kind: {pk for k, pk in targets.values() if k == kind} for kind in ("interview", "candidate", "job")}
    company_id, slug = member.company_id, member.company.slug
    exists = {"interview": _existing(Interview, wanted["interview"], company_id),
              "candidate": _existing(Candidate, wanted["candidate"], company_id),
              "job": _existing(Job, wanted["job"], company_id)}
    names = {"interview": ("scheduling:interview-detail", "interview_id"),
             "candidate": ("recruiting:candidate-detail", "candidate_id"),
             "job": ("recruiting:job-detail", "job_id")}
    activity = []
    for entry in entries:
        kind, pk = targets[entry.pk]
        url = ""
        if kind and pk in exists[kind]:
            name, argument = names[kind]
            url = reverse(name, kwargs={"company_slug": slug, argument: pk})
        activity.append(Activity(when=when_text(entry.created_at, zone, today), sentence=_sentence(entry), url=url))
    return activity
