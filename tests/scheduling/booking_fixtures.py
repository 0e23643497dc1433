"""Scheduling links as the candidate gets them: interviewers with synced calendars, busy events, a link sent through
the real service, and its token read back from the email that carries it."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import unquote

import pytest
from django.utils import timezone
from django_scopes import scope

from calendars.models import Calendar
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company, Membership, Role
from scheduling import emails
from scheduling.models import Audience, Interview, Participant, Purpose, SchedulingRequest
from scheduling.self_scheduling import RequestSpec, scheduling_request_send
from scheduling.services import Channels
from tests.calendars.factories import connected_calendar, event
from tests.conftest import make_member

_LINK = re.compile(r"/book/([A-Za-z0-9_-]+)/")
_START = re.compile(r'href="/book/[^/"]+/(?:reschedule/)?confirm/\?start=([^&"]+)')


@pytest.fixture
def no_booking_limits(settings):
    """The rate limits count in a cache that outlives one test; the tests of the limits set their own numbers."""
    settings.BOOKING_RATE_PER_CLIENT = settings.BOOKING_RATE_PER_TOKEN_GET = settings.BOOKING_RATE_PER_TOKEN_POST = 0


def booking_day(ahead: int = 3) -> date:
    """A Monday-to-Friday day at least `ahead` days from now: every working hour of it is past the 24 h notice."""
    day = timezone.now().astimezone(UTC).date() + timedelta(days=ahead)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


def at(day: date, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=UTC)


def interviewer(company: Company, name: str, **limits) -> Membership:
    """A member with a connected, selected calendar, working 09:00-17:00 UTC (Monday to Friday)."""
    email = f"{name.split()[0].lower()}@{company.slug}.test"
    member = make_member(company, email, Role.INTERVIEWER, name)
    if limits:
        with across_tenants("test setup"):
            Membership.objects.filter(pk=member.pk).update(**limits)
            member.refresh_from_db()
    connected_calendar(member)
    return member


def busy(member: Membership, day: date, start: str, end: str, title: str = "Busy", **extra) -> None:
    with across_tenants("test setup"):
        calendar = Calendar.objects.get(connection__member=member)
    event(calendar, title, at(day, start), at(day, end), **extra)


def existing_interview(member: Membership, candidate: Candidate, organizer: Membership, day: date, start: str
                       ) -> Interview:
    """An interview `member` already has (written directly: only its load and its time matter here)."""
    with across_tenants("test setup"):
        interview = Interview.objects.create(
            company=member.company, candidate=candidate, organizer=organizer, title="Earlier interview",
            start=at(day, start), end=at(day, start) + timedelta(hours=1), time_zone="UTC",
        )
        Participant.objects.create(company=member.company, interview=interview, role=Participant.Role.INTERVIEWER,
                                   member=member, name=member.user.display_name, email=member.user.email,
                                   time_zone="UTC", by_email=True)
    return interview


@dataclass
class Link:
    request: SchedulingRequest
    token: str

    @property
    def url(self) -> str:
        return f"/book/{self.token}/"

    def fresh(self) -> SchedulingRequest:
        with across_tenants("test setup"):
            return SchedulingRequest.objects.select_related("interview", "company").get(pk=self.request.pk)


def send_link(organizer: Membership, candidate: Candidate, *, panel=(), pool=(), pool_size: int = 0,
              day: date | None = None, **changes) -> Link:
    """Send a scheduling link for one window day (UTC, one-hour interviews, by email) through the real service."""
    day = day or booking_day()
    spec = RequestSpec(
        kind="interview", title="Backend interview", duration=timedelta(hours=1), first_day=day, last_day=day,
        time_zone="UTC", notice=timedelta(hours=24), buffer_before=timedelta(0), buffer_after=timedelta(0),
        location="Acme HQ, Room 4", video_link="", note="", panel=list(panel), pool=list(pool),
        pool_size=pool_size, show_interviewer_names=False, candidate_via=Channels(email=True),
        interviewers_via=Channels(email=True), job=candidate.job,
    )
    spec = replace(spec, **changes)
    with scope(company=organizer.company):
        wording = emails.company_wording(organizer.company, Audience.CANDIDATE, Purpose.SCHEDULING_LINK)
        request = scheduling_request_send(organizer=organizer, candidate=candidate, spec=spec, wording=wording,
                                          actor=organizer.user)
        token = _LINK.search(request.link_message.text_body).group(1)
    return Link(request=request, token=token)


def offered_starts(response) -> list[datetime]:
    """The instants of the slot links on a page, in page order."""
    return [datetime.strptime(unquote(value), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            for value in _START.findall(response.content.decode())]


def start_param(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def another_candidate(company: Company, n: int = 2) -> Candidate:
    with across_tenants("test setup"):
        return Candidate.objects.create(company=company, full_name=f"Road Runner {n}", email=f"meep{n}@example.com",
                                        time_zone="UTC")
