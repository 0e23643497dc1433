"""Reads of the Interviews page: the filters it understands and the rows of one page, in a constant number of
queries whatever the number of interviews (the page's ids first, then just those rows with their people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.paginator import Page
from django.db.models import Prefetch, Q, QuerySet
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from recruitee.paging import IdsFirstPaginator
from recruitee.params import parse_id
from recruitee.recruiting.models import Candidate, CandidateListing, Job
from recruitee.tenancy.models import Membership

from .models import Interview, InterviewListing, Participant, SchedulingRequest, SchedulingRequestMember
from .selectors import LONGEST_INTERVIEW, answers_by_email_only
from .self_scheduling import expires_at

# The pager counts this many matches at most, then says "1,000+ interviews" and goes on page by page.
COUNT_LIMIT = 1000
# A search word matching at most this many interviews is looked up by their ids, and at most LOOKUPS words of a
# search are (_search_interviews).
FEW_MATCHES = 1000
LOOKUPS = 3
OPEN_REQUEST = (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)

UPCOMING, PAST, CANCELLED, AWAITING = "upcoming", "past", "cancelled", "awaiting"
# Upcoming: the soonest first; past and cancelled: the latest first.
ORDER = {UPCOMING: ("start", "pk"), PAST: ("-start", "-pk"), CANCELLED: ("-start", "-pk")}
WHEN_CHOICES = [(UPCOMING, gettext_lazy("Upcoming")), (PAST, gettext_lazy("Past")),
                (CANCELLED, gettext_lazy("Cancelled")), (AWAITING, gettext_lazy("Awaiting booking"))]


def taking_part(member: Membership) -> Q:
    """Interviews the member organizes or is invited to (as an interviewer, or by their address as anyone)."""
    invited = Participant.objects.filter(company=member.company_id, member=member).values("interview_id")
    return Q(organizer=member) | Q(pk__in=invited)


def day_label(day: date, today: date, *, in_sentence: bool = False) -> str:
    """"Today", "Tomorrow", "Yesterday", a weekday within the coming week, else the date, in the active language
    ("today" inside a sentence; a weekday or a date keeps its capital)."""
    delta = (day - today).days
    if delta == 0:
        return _("today") if in_sentence else _("Today")
    if delta == 1:
        return _("tomorrow") if in_sentence else _("Tomorrow")
    if delta == -1:
        return _("yesterday") if in_sentence else _("Yesterday")
    if 1 < delta < 7:
        return date_format(day, "l")
    if day.year == today.year:
        # Translators: a date format (Django's date filter): "Mon 3 Jun".
        return date_format(day, pgettext("date format", "D j M"))
    # Translators: a date format (Django's date filter): "Mon 3 Jun 2027".
    return date_format(day, pgettext("date format, with the year", "D j M Y"))


def clock(moment: datetime) -> str:
    """"14:00", as the active language writes a time (the moment already in the zone to show)."""
    return date_format(moment, "TIME_FORMAT")


def when_text(moment: datetime, zone: ZoneInfo, today: date) -> str:
    """"Tomorrow 14:00" in the viewer's zone."""
    local = moment.astimezone(zone)
    return pgettext("day and time", "%(day)s %(time)s") % {"day": day_label(local.date(), today),
                                                             "time": clock(local)}


@dataclass(frozen=True)
class InterviewFilters:
    everyone: bool = False
    when: str = UPCOMING
    job_id: int | None = None
    interviewer_id: int | None = None
    candidate_id: int | None = None
    query: str = ""

    @classmethod
    def from_query(cls, params: QueryDict, member: Membership) -> InterviewFilters:
        """What the address asks for, as far as this member may ask: an interviewer only ever sees the interviews
        they take part in, and no scheduling links (those are the recruiters')."""
        recruits = member.can_recruit
        when = params.get("when", "")
        allowed = {value for value, _label in WHEN_CHOICES if recruits or value != AWAITING}
        return cls(
            everyone=recruits and params.get("who") == "everyone",
            when=when if when in allowed else UPCOMING,
            job_id=parse_id(params.get("job")),
            interviewer_id=parse_id(params.get("interviewer")) if recruits else None,
            candidate_id=parse_id(params.get("candidate")),
            query=params.get("q", "").replace("\x00", "").strip()[:200],
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.job_id or self.interviewer_id or self.candidate_id or self.query)

    def params(self, **changes) -> dict[str, str]:
        values = {"who": "everyone" if self.everyone else "", "when": "" if self.when == UPCOMING else self.when,
                  "job": self.job_id or "", "interviewer": self.interviewer_id or "",
                  "candidate": self.candidate_id or "", "q": self.query}
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in (None, "")}

    def link(self, **changes) -> str:
        """This page's address with some filters changed (the others kept), from its first page."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else "?"


def _candidates_matching(company_id: int, term: str) -> QuerySet:
    """The company's candidates with the word in their name or address, found through the trigram indexes
    (recruiting.models.CandidateListing says why a view)."""
    return (CandidateListing.objects.filter(company=company_id)
            .filter(Q(full_name__icontains=term) | Q(email__icontains=term)).values("pk"))


def _search_interviews(rows: QuerySet[Interview], query: str, company_id: int) -> QuerySet[Interview]:
    """Each word in the title or the candidate's name or address.

    A word is first looked up through the trigram indexes (titles through InterviewListing, and the interviews of the
    candidates found): when it matches no more than FEW_MATCHES interviews, the list is cut from those, a handful of
    rows read by primary key. A common word is checked on each row along the list's own order instead, where the
    page fills after a few rows. (One plan cannot do both: PostgreSQL guesses 200 rows for any set of ids it must
    make unique, and fetched a word's 60,000 interviews one by one; as a set of ids to look rows up in, it read them
    all before the first row; as a condition on every row, a rare word read every interview the company ever
    held.) Once a word has cut the list, the others are checked on its few rows; words too short for a trigram, and
    those past the first LOOKUPS, are never looked up: a search of a hundred words costs no more queries than one
    of three."""
    narrowed, lookups = False, 0
    for term in dict.fromkeys(query.split()):
        if not narrowed and lookups < LOOKUPS and len(term) >= 3:
            lookups += 1
            titled = InterviewListing.objects.filter(company=company_id, title__icontains=term).values_list("pk")
            theirs = Interview.objects.filter(company=company_id,
                                              candidate__in=_candidates_matching(company_id, term)).values_list("pk")
            found = [pk for (pk,) in titled.order_by().union(theirs.order_by(), all=True)[: FEW_MATCHES + 1]]
            if len(found) <= FEW_MATCHES:
                rows, narrowed = rows.filter(pk__in=found), True
                continue
        rows = rows.filter(Q(title__icontains=term) | Q(candidate__full_name__icontains=term)
                           | Q(candidate__email__icontains=term))
    return rows


def _search_links(rows: QuerySet[SchedulingRequest], query: str, company_id: int) -> QuerySet[SchedulingRequest]:
    """Each word in the link's title or the candidate's name or address (only links still open are searched: a
    few)."""
    for term in query.split():
        rows = rows.filter(Q(title__icontains=term) | Q(candidate__in=_candidates_matching(company_id, term)))
    return rows


def interviews(*, member: Membership, filters: InterviewFilters, now: datetime) -> QuerySet[Interview]:
    """The interviews the filters select, in the page's order (soonest first for upcoming, newest first else)."""
    rows = Interview.objects.filter(company=member.company_id)
    if not (filters.everyone and member.can_recruit):
        rows = rows.filter(taking_part(member))
    if filters.when == PAST:
        rows = rows.filter(status=Interview.Status.SCHEDULED, end__lte=now)
    elif filters.when == CANCELLED:
        rows = rows.filter(status=Interview.Status.CANCELLED)
    else:
        # Running or still to come; the lower bound on the start lets the (company, start) index do the work.
        rows = rows.filter(status=Interview.Status.SCHEDULED, start__gte=now - LONGEST_INTERVIEW, end__gt=now)
    if filters.job_id:
        rows = rows.filter(job_id=filters.job_id)
    if filters.candidate_id:
        rows = rows.filter(candidate_id=filters.candidate_id)
    if filters.interviewer_id:
        rows = rows.filter(pk__in=Participant.objects.filter(
            company=member.company_id, member_id=filters.interviewer_id,
            role=Participant.Role.INTERVIEWER).values("interview_id"))
    rows = _search_interviews(rows, filters.query, member.company_id)
    return rows.order_by(*ORDER.get(filters.when, ORDER[UPCOMING]))


def with_people(rows: QuerySet[Interview], company_id: int) -> QuerySet[Interview]:
    """What a row shows: candidate, job, the scheduling link that booked it, and everyone invited (one more
    query for all participants of all rows)."""
    people = Participant.objects.filter(company=company_id).order_by("role", "name", "pk")
    return rows.select_related("candidate", "job", "scheduling_request").prefetch_related(
        Prefetch("participants", queryset=people))


def awaiting_booking(*, member: Membership, filters: InterviewFilters) -> QuerySet[SchedulingRequest]:
    """Scheduling links the candidate has not booked yet (expired ones included: they still need a decision)."""
    rows = SchedulingRequest.objects.filter(company=member.company_id, status__in=OPEN_REQUEST)
    if not filters.everyone:
        rows = rows.filter(organizer=member)
    if filters.job_id:
        rows = rows.filter(job_id=filters.job_id)
    if filters.candidate_id:
        rows = rows.filter(candidate_id=filters.candidate_id)
    if filters.interviewer_id:
        rows = rows.filter(pk__in=SchedulingRequestMember.objects.filter(
            company=member.company_id, member_id=filters.interviewer_id).values("request_id"))
    return _search_links(rows, filters.query, member.company_id).order_by("-sent_at", "-pk")


def _load_interviews(company_id: int, order: tuple[str, ...]):
    def load(ids) -> QuerySet[Interview]:
        return with_people(Interview.objects.filter(company=company_id, pk__in=ids), company_id).order_by(*order)
    return load


def _load_requests(company_id: int):
    def load(ids) -> QuerySet[SchedulingRequest]:
        return (SchedulingRequest.objects.filter(company=company_id, pk__in=ids)
                .select_related("candidate", "job", "organizer__user").order_by("-sent_at", "-pk"))
    return load


def interview_page(*, member: Membership, filters: InterviewFilters, number: str | None, now: datetime) -> Page:
    """One page of interviews, or of scheduling links awaiting booking: a bounded count, the page's ids, its rows
    (and their participants); the same queries on page 1 and page 400, with 10 interviews or 100,000."""
    searching = bool(filters.query.split())
    if filters.when == AWAITING:
        return IdsFirstPaginator(awaiting_booking(member=member, filters=filters), settings.PAGE_SIZE,
                                 load=_load_requests(member.company_id), count_limit=COUNT_LIMIT,
                                 collect=searching).get_page(number)
    rows = interviews(member=member, filters=filters, now=now)
    load = _load_interviews(member.company_id, ORDER.get(filters.when, ORDER[UPCOMING]))
    return IdsFirstPaginator(rows, settings.PAGE_SIZE, load=load,
                             count_limit=COUNT_LIMIT, collect=searching).get_page(number)


STATES = {"cancelled": gettext_lazy("Cancelled"), "past": gettext_lazy("Past"),
          "now": pgettext_lazy("an interview going on", "Now"), "scheduled": gettext_lazy("Scheduled")}


@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    day: str  # "Today", "Tomorrow", "Friday", "Mon 3 Jun", in the viewer's zone
    local_day: date
    times: str  # "14:00–15:00"
    candidate_answer: Participant | None  # the candidate's own participant row, when they were invited
    interviewers: list[Participant]
    state: str  # cancelled, past, now, scheduled
    booked_by_candidate: bool

    @property
    def status(self) -> str:
        """The state in words, in the active language."""
        return str(STATES[self.state])

    @property
    def when(self) -> str:
        return pgettext("day and time", "%(day)s %(time)s") % {"day": self.day, "time": self.times}

    @property
    def answers_by_email(self) -> bool:
        """Someone was invited by email only: their answer goes to the organizer's mailbox, which we do not read."""
        return answers_by_email_only([*self.interviewers, *filter(None, [self.candidate_answer])])


def interview_rows(interviews_: list[Interview], *, zone: ZoneInfo, now: datetime) -> list[InterviewRow]:
    today = now.astimezone(zone).date()
    rows = []
    for interview in interviews_:
        people = list(interview.participants.all())
        if interview.is_cancelled:
            state = "cancelled"
        elif interview.end <= now:
            state = "past"
        elif interview.start <= now:
            state = "now"
        else:
            state = "scheduled"
        start, end = interview.start.astimezone(zone), interview.end.astimezone(zone)
        ends = clock(end) if start.date() == end.date() else \
            pgettext("day and time", "%(day)s %(time)s") % {"day": day_label(end.date(), today), "time": clock(end)}
        times = f"{clock(start)}–{ends}"
        rows.append(InterviewRow(
            interview=interview, day=day_label(start.date(), today), local_day=start.date(), times=times,
            candidate_answer=next((p for p in people if p.role == Participant.Role.CANDIDATE), None),
            interviewers=[p for p in people if p.role == Participant.Role.INTERVIEWER],
            state=state, booked_by_candidate=getattr(interview, "scheduling_request", None) is not None,
        ))
    return rows


@dataclass(frozen=True)
class RequestRow:
    request: SchedulingRequest
    window: str
    status: str
    expired: bool


def request_rows(requests: list[SchedulingRequest], *, now: datetime) -> list[RequestRow]:
    rows = []
    for link in requests:
        expired = now >= expires_at(link)
        window = (f"{date_format(link.first_day, pgettext('date format', 'D j M'))}–"
                  f"{date_format(link.last_day, pgettext('date format, with the year', 'D j M Y'))}")
        status = _("Expired") if expired else str(SchedulingRequest.Status(link.status).label)
        rows.append(RequestRow(request=link, window=window, status=status, expired=expired))
    return rows


def filter_choices(*, member: Membership) -> dict:
    """The filter form's options: jobs, and the team for recruiters (interviewers filter only their own)."""
    choices: dict = {"jobs": list(Job.objects.filter(company=member.company_id).only("pk", "title", "status"))}
    if member.can_recruit:
        choices["interviewers"] = list(Membership.objects.filter(company=member.company_id)
                                       .select_related("user").order_by("user__full_name", "pk"))
    return choices


def candidate_choice(*, member: Membership, filters: InterviewFilters) -> Candidate | None:
    """The candidate the list is narrowed to, shown as a chip (a company can have more candidates than a select
    can hold); None for an id that is not one of the company's."""
    if not filters.candidate_id:
        return None
    return Candidate.objects.filter(company=member.company_id, pk=filters.candidate_id).only("pk", "full_name").first()
