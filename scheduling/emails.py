"""Invitation, update and cancellation emails: wording from the company's templates, values for each recipient.

Candidate and interviewer messages are built from separate templates and never from one another: editing the
candidate's text cannot change what the interviewers read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.safestring import SafeString

from recruitee.tenancy.models import Company

from . import placeholders
from .defaults import DEFAULT_TEMPLATES
from .ics import build_invite
from .models import Audience, Interview, InviteTemplate, Purpose
from .plan import Plan

_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]+)\}(?!\})")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: SafeString


def company_wording(company: Company, audience: str, purpose: str) -> Wording:
    """The company's template for this audience and purpose, or our default."""
    row = InviteTemplate.objects.filter(company=company, audience=audience, purpose=purpose).first()
    if row is not None:
        return Wording(row.subject, row.body)
    return Wording(*DEFAULT_TEMPLATES[(audience, purpose)])


def recipient_zone(plan: Plan, audience: str) -> str:
    """Times are written in the recipient's zone; a message to several interviewers in different zones uses the
    event's own zone (and says which)."""
    if audience == Audience.CANDIDATE:
        return plan.candidate.time_zone or plan.time_zone
    zones = {member.user.time_zone for member in plan.interviewers if member.user.time_zone}
    return zones.pop() if len(zones) == 1 else plan.time_zone


def _duration(start: datetime, end: datetime) -> str:
    minutes = int((end - start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minutes")
    return " ".join(parts) or "0 minutes"


def zone_label(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    offset = local.strftime("%z")
    return f"{zone_name} ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def values_for(plan: Plan, zone_name: str, *, previous: tuple[datetime, datetime] | None = None) -> dict[str, str]:
    """Every placeholder's value for one recipient, with dates and times in `zone_name`."""
    zone = ZoneInfo(zone_name)
    start, end = plan.start.astimezone(zone), plan.end.astimezone(zone)
    organizer = plan.organizer.user if plan.organizer else None
    candidate = plan.candidate
    values = {
        "candidate_name": candidate.full_name,
        "candidate_first_name": candidate.full_name.split()[0] if candidate.full_name.split() else "",
        "candidate_email": candidate.email,
        "candidate_phone": candidate.phone,
        "job_title": plan.job.title if plan.job else "",
        "company_name": candidate.company.name,
        "event_title": plan.title,
        "event_type": plan.kind_label,
        "event_date": f"{start:%A}, {start.day} {start:%B %Y}",
        "event_time": f"{start:%H:%M}",
        "event_end_time": f"{end:%H:%M}",
        "event_duration": _duration(plan.start, plan.end),
        "time_zone": zone_label(plan.start, zone_name),
        "location": plan.location,
        "video_link": plan.video_link,
        "interviewers": ", ".join(m.user.display_name for m in plan.interviewers),
        "organizer_name": organizer.display_name if organizer else "",
        "organizer_email": organizer.email if organizer else "",
        "note": plan.note,
        "previous_event_date": "",
        "previous_event_time": "",
    }
    if previous is not None:
        old = previous[0].astimezone(zone)
        values["previous_event_date"] = f"{old:%A}, {old.day} {old:%B %Y}"
        values["previous_event_time"] = f"{old:%H:%M}"
    return values


def _without_empty_lines(template: str, values: Mapping[str, str]) -> str:
    """Drop the lines whose every placeholder is empty ("Video call: {video_link}" for an on-site interview)."""
    kept = []
    for line in template.replace("\r\n", "\n").split("\n"):
        names = _PLACEHOLDER.findall(line)
        if names and all(name in placeholders.PLACEHOLDERS and not values.get(name) for name in names):
            continue
        kept.append(line)
    return _BLANK_RUNS.sub("\n\n", "\n".join(kept)).strip("\n")


def render(wording: Wording, values: Mapping[str, str]) -> Rendered:
    """Raises placeholders.UnknownPlaceholder naming what the allowlist does not have."""
    body = _without_empty_lines(wording.body, values)
    return Rendered(
        subject=placeholders.render_subject(wording.subject, values),
        text=placeholders.render_text(body, values) + "\n",
        html=placeholders.render_html(body, values),
    )


def unknown_in(wording: Wording) -> list[str]:
    return placeholders.find_unknown(wording.subject + "\n" + wording.body)


def invite_ics(
    *, interview: Interview, attendees: Sequence[tuple[str, str]], method: str = "REQUEST", description: str = ""
) -> bytes:
    """The .ics for one audience: only that audience's people are ATTENDEEs."""
    organizer = interview.organizer.user
    cancelled = method == "CANCEL"
    return build_invite(
        method=method, uid=interview.ical_uid, sequence=interview.sequence, start=interview.start,
        end=interview.end, time_zone=interview.time_zone, summary=interview.title, description=description,
        location=interview.location or interview.video_link, url=interview.video_link or None,
        organizer_email=organizer.email, organizer_name=organizer.display_name, attendees=attendees,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )


PURPOSE_METHOD = {Purpose.INVITATION: "REQUEST", Purpose.UPDATE: "REQUEST", Purpose.CANCELLATION: "CANCEL"}


def stale_mentions(wording: Wording, *, before: Mapping[str, str], now: Mapping[str, str]) -> list[tuple[str, str]]:
    """(what the text says, what step 1 says now) for each value the recruiter typed out literally that has
    changed since. A placeholder follows the change by itself; typed-out text does not."""
    literal = placeholders.literal_text(wording.subject + "\n" + wording.body)
    found: list[tuple[str, str]] = []
    for name, old in before.items():
        new = now.get(name, "")
        if old and old != new and old in literal and (old, new) not in found:
            found.append((old, new))
    return found
