"""Interviews, answers and scheduling links for the home page and Interviews list tests, written straight into the
tables (the wizard is tested elsewhere), and a zone in which it is around noon right now."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

from django.utils import timezone

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership
from scheduling.models import Interview, Participant, SchedulingRequest
from tests.conftest import analyze


def noon_zone() -> str:
    """A fixed-offset zone in which it is between 10:00 and 14:00 now: "in an hour" is still today there and
    "in 24 hours" tomorrow, whenever the tests run. (Etc/GMT-3 is three hours ahead of UTC: POSIX signs.)"""
    offset = 12 - datetime.now(UTC).hour  # -11 .. +12, all of them real zones
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def live_in(member: Membership, zone: str) -> None:
    member.user.time_zone = zone
    member.user.save(update_fields=["time_zone"])


def candidate(company, name: str, email: str | None = None, job: Job | None = None) -> Candidate:
    with across_tenants("test setup"):
        return Candidate.objects.create(company=company, full_name=name, job=job,
                                        email=email or f"{name.split()[0].lower()}@candidates.test")


def interview(organizer: Membership | None, who: Candidate, *, start: datetime, minutes: int = 60,
              title: str = "Interview", job: Job | None = None, interviewers=(), answers: dict | None = None,
              by_email: bool = False, by_calendar: bool = True, status: str = Interview.Status.SCHEDULED,
              invite_candidate: bool = True, company=None) -> Interview:
    """An interview with the candidate and `interviewers` invited; `answers`: member or "candidate" -> response."""
    answers = answers or {}
    company = company or who.company
    with across_tenants("test setup"):
        made = Interview.objects.create(
            company=company, candidate=who, job=job if job is not None else who.job, organizer=organizer,
            title=title, start=start, end=start + timedelta(minutes=minutes), time_zone="Europe/Berlin",
            status=status, created_by=organizer.user if organizer else None)
        rows = []
        if invite_candidate:
            rows.append(Participant(company=company, interview=made, role=Participant.Role.CANDIDATE,
                                    name=who.full_name, email=who.email, time_zone=who.time_zone,
                                    by_email=True, by_calendar=False,
                                    response=answers.get("candidate", Participant.Response.NEEDS_ACTION)))
        for member in interviewers:
            response = answers.get(member, Participant.Response.NEEDS_ACTION)
            rows.append(Participant(
                company=company, interview=made, role=Participant.Role.INTERVIEWER, member=member,
                name=member.user.display_name, email=member.user.email, time_zone="UTC", by_email=by_email,
                by_calendar=by_calendar, response=response,
                response_at=timezone.now() if response != Participant.Response.NEEDS_ACTION else None))
        Participant.objects.bulk_create(rows)
    return made


def scheduling_link(organizer: Membership, who: Candidate, *, last_day: date, first_day: date | None = None,
                    status: str = SchedulingRequest.Status.SENT, title: str = "Backend interview",
                    booked: Interview | None = None) -> SchedulingRequest:
    first_day = first_day or min(last_day, date.today())
    with across_tenants("test setup"):
        return SchedulingRequest.objects.create(
            company=organizer.company, candidate=who, job=who.job, organizer=organizer, created_by=organizer.user,
            title=title, duration_minutes=60, first_day=first_day, last_day=last_day, time_zone="UTC",
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(), status=status,
            sent_at=timezone.now() - timedelta(days=1), interview=booked,
            booked_at=timezone.now() if booked else None)


def bulk_interviews(organizer: Membership, who: Candidate, interviewer: Membership, count: int, *,
                    job: Job | None = None) -> None:
    """`count` interviews an hour apart, half of them past, half to come, the interviewer invited to each by
    calendar; one in five declined, one in three cancelled. Two inserts, whatever the count."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    company = organizer.company
    with across_tenants("test setup"):
        interviews = Interview.objects.bulk_create([
            Interview(company=company, candidate=who, job=job, organizer=organizer, title=f"Interview {n}",
                      start=now + timedelta(hours=n - count // 2, minutes=30),
                      end=now + timedelta(hours=n - count // 2, minutes=90), time_zone="UTC",
                      status=Interview.Status.CANCELLED if n % 3 == 2 else Interview.Status.SCHEDULED)
            for n in range(count)], batch_size=2_000)
        Participant.objects.bulk_create([
            Participant(company=company, interview=made, role=Participant.Role.INTERVIEWER, member=interviewer,
                        name=interviewer.user.display_name, email=interviewer.user.email, time_zone="UTC",
                        by_calendar=True,
                        response=Participant.Response.DECLINED if n % 5 == 4 else Participant.Response.NEEDS_ACTION)
            for n, made in enumerate(interviews)], batch_size=2_000)
    analyze("scheduling_interview", "scheduling_participant")


class _Sections(HTMLParser):
    """The text and links of every element with a given data-testid, nested ones included."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}
    # Text in two of these reads as two words, as a browser shows it on two lines or in two cells.
    BLOCKS = {"div", "p", "li", "ul", "td", "th", "tr", "h1", "h2", "h3", "h4", "section", "br"}

    def __init__(self, testid: str):
        super().__init__(convert_charrefs=True)
        self.testid = testid
        self.found: list[dict] = []
        self._open: list[tuple[dict, int]] = []  # (section, depth at which it opened)
        self._depth = 0

    def _gap(self, tag: str) -> None:
        if tag in self.BLOCKS:
            for section, _depth in self._open:
                section["text"] += " "

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._gap(tag)
        for section, _depth in self._open:
            if tag == "a" and a.get("href"):
                section["links"].append(a["href"])
        if tag in self.VOID:
            return
        self._depth += 1
        if a.get("data-testid") == self.testid:
            section = {"text": "", "links": [a["href"]] if tag == "a" and a.get("href") else []}
            self.found.append(section)
            self._open.append((section, self._depth))

    def handle_endtag(self, tag):
        self._gap(tag)
        if tag in self.VOID:
            return
        if self._open and self._open[-1][1] == self._depth:
            self._open.pop()
        self._depth -= 1

    def handle_data(self, data):
        for section, _depth in self._open:
            section["text"] += data


def sections(response, testid: str) -> list[dict]:
    """[{"text": "...", "links": [...]}] of the page's elements with data-testid=`testid`, text collapsed."""
    parser = _Sections(testid)
    parser.feed(response.content.decode())
    for section in parser.found:
        section["text"] = " ".join(section["text"].split())
    return parser.found


def section_text(response, testid: str) -> str:
    return "\n".join(section["text"] for section in sections(response, testid))


def in_hours(hours: float) -> datetime:
    return timezone.now() + timedelta(hours=hours)
