"""Invitation, update and cancellation emails: wording from the company's templates, values for each recipient.

Candidate and interviewer messages are built from separate templates and never from one another: editing the
candidate's text cannot change what the interviewers read.

Each message is written in its recipient's language: the candidate's (candidate_language), and for the one message
to all interviewers the language the organizer chose in the wizard (Interview.interviewers_language; for older
interviews the organizer's own, member_language). The template of that language is
used, dates and times are written the way that language writes them (recruitee/formats/) in the recipient's zone,
and the .ics SUMMARY and DESCRIPTION follow. Recruiter-written text is never translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext_lazy

from mailbox.addresses import Address
from mailbox.models import Message
from mailbox.services import AlternativePart, AttachmentData, message_send
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.languages import company_language, member_language
from recruitee.tenancy.models import Company

from . import placeholders
from .defaults import ENTRY_REPLACED, ENTRY_REPLACED_BY_LANGUAGE, default_wording
from .ics import build_invite
from .models import (
    Audience,
    Interview,
    InterviewKind,
    InterviewMessage,
    InviteTemplate,
    OnlineMeeting,
    Participant,
    Purpose,
    ScheduleDraft,
)
from .placeholders import RenderedTooLong
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


def company_wording(company: Company, audience: str, purpose: str, language: str | None = None) -> Wording:
    """The company's template for this audience, purpose and language, or our default in that language. No
    language: the company's default language."""
    language = language if language in dict(settings.LANGUAGES) else company_language(company)
    row = InviteTemplate.objects.filter(company=company, audience=audience, purpose=purpose,
                                        language=language).first()
    if row is not None:
        return Wording(row.subject, row.body)
    return Wording(*default_wording(audience, purpose, language))


def organizer_language(plan: Plan) -> str:
    """The organizer's own language: what the interviewers' message speaks unless the organizer chose another."""
    return member_language(plan.organizer) if plan.organizer else company_language(plan.candidate.company)


def recipient_language(plan: Plan, audience: str) -> str:
    """The language a message to this audience is written in: the candidate's own; for the one message to all
    interviewers, the organizer's choice for this interview, else the organizer's own language."""
    if audience == Audience.CANDIDATE:
        return candidate_language(plan.candidate)
    if plan.interviewers_language in dict(settings.LANGUAGES):
        return plan.interviewers_language
    return organizer_language(plan)


# The event's type in the middle of a sentence ("your video call", "Ihr Videogespräch"): not simply the label in
# small letters, since German keeps its nouns capitalized.
_KIND_IN_SENTENCE = {
    InterviewKind.INTERVIEW: pgettext_lazy("event type in a sentence", "interview"),
    InterviewKind.PHONE_SCREEN: pgettext_lazy("event type in a sentence", "phone screen"),
    InterviewKind.VIDEO_CALL: pgettext_lazy("event type in a sentence", "video call"),
    InterviewKind.ON_SITE: pgettext_lazy("event type in a sentence", "on-site interview"),
}


def kind_in_sentence(kind: str) -> str:
    return str(_KIND_IN_SENTENCE.get(kind, InterviewKind(kind).label))


def date_words(moment: date) -> str:
    """"Tuesday, 1 December 2026", "Dienstag, 1. Dezember 2026": the date as it stands, in the active language."""
    return f"{date_format(moment, 'l')}, {date_format(moment, 'DATE_FORMAT')}"


def made_title(kind: str, job_title: str, candidate_name: str) -> str:
    """The title the product gives an event whose title was left empty, in the active language."""
    label = InterviewKind(kind).label
    # The wizard's own words for it (ScheduleForm.default_title), so a title made there is recognised here.
    if job_title:
        return gettext("%(kind)s: %(job)s") % {"kind": label, "job": job_title}
    return gettext("%(kind)s with %(candidate)s") % {"kind": label, "candidate": candidate_name}


def title_in(title: str, *, kind: str, job_title: str, candidate_name: str, language: str) -> str:
    """The event's title for a message in `language`: the recruiter's own words as they are; a title the product
    made (type and job, in whatever language it was made) made again in `language`."""
    made = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            made.add(made_title(kind, job_title, candidate_name))
    if title not in made:
        return title
    with translation.override(language):
        return made_title(kind, job_title, candidate_name)


def _plan_title(plan: Plan, language: str) -> str:
    return title_in(plan.title, kind=plan.kind, job_title=plan.job.title if plan.job else "",
                    candidate_name=plan.candidate.full_name, language=language)


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
        parts.append(ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if rest or not hours:
        parts.append(ngettext("%(count)d minute", "%(count)d minutes", rest) % {"count": rest})
    return " ".join(parts)


def zone_label(moment: datetime, zone_name: str) -> str:
    local = moment.astimezone(ZoneInfo(zone_name))
    offset = local.strftime("%z")
    return f"{zone_name} ({local.tzname()}, UTC{offset[:3]}:{offset[3:]})"


def values_for(plan: Plan, zone_name: str, *, previous: tuple[datetime, datetime] | None = None,
               language: str | None = None) -> dict[str, str]:
    """Every placeholder's value for one recipient, with dates and times in `zone_name`, written in `language`
    (none: the company's default language)."""
    language = language if language in dict(settings.LANGUAGES) else company_language(plan.candidate.company)
    with translation.override(language):
        return _values(plan, zone_name, previous, language)


def recipient_values(plan: Plan, audience: str, *, previous: tuple[datetime, datetime] | None = None
                     ) -> dict[str, str]:
    """The placeholder values of the message to this audience: in its recipients' zone and language, as sent."""
    return values_for(plan, recipient_zone(plan, audience), previous=previous,
                      language=recipient_language(plan, audience))


def _values(plan: Plan, zone_name: str, previous: tuple[datetime, datetime] | None, language: str) -> dict[str, str]:
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
        "event_title": _plan_title(plan, language),
        "event_type": str(plan.kind_label),
        "event_type_lower": kind_in_sentence(plan.kind),
        "event_date": date_words(start),
        "event_time": date_format(start, "TIME_FORMAT"),
        "event_end_time": date_format(end, "TIME_FORMAT"),
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
        "cancellation_reason": plan.cancellation_reason,
        "cancellation_note": plan.cancellation_note,
    }
    if previous is not None:
        old = previous[0].astimezone(zone)
        values["previous_event_date"] = date_words(old)
        values["previous_event_time"] = date_format(old, "TIME_FORMAT")
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
    *, interview: Interview, attendees: Sequence[tuple[str, str]], method: str = "REQUEST", description: str = "",
    at: tuple[datetime, datetime] | None = None, language: str | None = None,
) -> bytes:
    """The .ics for one audience: only that audience's people are ATTENDEEs. `at` (start, end) replaces the
    interview's time: a removed interviewer's cancellation names the time they were invited to. `language`: the
    message's (its SUMMARY is the title in that language, its DESCRIPTION the caller's text in it); none: the
    active language."""
    organizer = interview.organizer.user
    cancelled = method == "CANCEL"
    conference = None
    if interview.online_meeting and interview.video_link:
        conference = (interview.video_link, OnlineMeeting(interview.online_meeting).label)
    start, end = at or (interview.start, interview.end)
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    summary = title_in(interview.title, kind=interview.kind, job_title=interview.job.title if interview.job else "",
                       candidate_name=interview.candidate.full_name, language=language)
    return build_invite(
        method=method, uid=interview.ical_uid, sequence=interview.sequence, start=start, language=language,
        end=end, time_zone=interview.time_zone, summary=summary, description=description,
        location=interview.location or interview.video_link, url=interview.video_link or None,
        organizer_email=organizer.email, organizer_name=organizer.display_name, attendees=attendees,
        status="CANCELLED" if cancelled else "CONFIRMED", conference=conference,
    )


PURPOSE_METHOD = {Purpose.INVITATION: "REQUEST", Purpose.UPDATE: "REQUEST", Purpose.CANCELLATION: "CANCEL"}


def send(*, interview: Interview, plan: Plan, participants: list[Participant], audience: str, purpose: str,
         wording: Wording | None = None, previous: tuple[datetime, datetime] | None = None,
         language: str | None = None) -> Message | None:
    """One message to the audience's people invited by email (none: None), with the .ics unless the provider
    invites them, linked to the interview's ledger. Dates and times are `plan`'s (a removed interviewer's
    cancellation gets the plan they were invited to). No `wording`: the company's for the recipients' language.
    `language`: the one `wording` is written in, when it is not the audience's now (recipient_language)."""
    role = Participant.Role.CANDIDATE if audience == Audience.CANDIDATE else Participant.Role.INTERVIEWER
    people = [p for p in participants if p.role == role and p.by_email]
    if not people:
        return None
    # Whoever the provider invites already has the event in their calendar; a second .ics would make a second
    # entry (Graph gives its event its own UID), so their email is a plain confirmation.
    method = None if any(p.by_calendar for p in people) else PURPOSE_METHOD[purpose]
    language = language or recipient_language(plan, audience)
    if wording is None:
        wording = company_wording(interview.company, audience, purpose, language)
    # A cancellation must reach people even when the organizer is over a sending limit (it still counts).
    return deliver(interview=interview, plan=plan, people=people, audience=audience, wording=wording,
                   method=method, refusable=purpose != Purpose.CANCELLATION, previous=previous, language=language)


def deliver(*, interview: Interview, plan: Plan, people: list[Participant], audience: str, wording: Wording,
            method: str | None, refusable: bool = True,
            previous: tuple[datetime, datetime] | None = None, language: str | None = None) -> Message:
    """One message to exactly `people`, with a `method` (REQUEST, CANCEL) calendar part or none, linked to the
    interview's ledger, written in `language` (none: the audience's, recipient_language)."""
    language = language or recipient_language(plan, audience)
    try:
        rendered = render(wording, values_for(plan, recipient_zone(plan, audience), previous=previous,
                                              language=language))
    except RenderedTooLong as error:
        raise ValidationError(f"The {Audience(audience).label.lower()} email: {error}") from None
    alternatives, attachments = [], []
    if method is not None:
        ics = invite_ics(interview=interview, attendees=[(p.name, p.email) for p in people], method=method,
                         description=rendered.text, at=(plan.start, plan.end), language=language)
        alternatives.append(AlternativePart(f"text/calendar; method={method}; charset=UTF-8", ics.decode()))
        attachments.append(AttachmentData("invite.ics" if method == "REQUEST" else "cancel.ics",
                                          "application/ics", ics))
    message = message_send(
        company=interview.company, audience=audience, to=[Address(email=p.email, name=p.name) for p in people],
        subject=rendered.subject, text=rendered.text, sender=interview.organizer, candidate=interview.candidate,
        attachments=attachments, alternatives=alternatives, refusable=refusable,
    )
    InterviewMessage.objects.create(company=interview.company, interview=interview, message=message)
    return message


def entry_replaced_send(*, interview: Interview, plan: Plan, people: list[Participant], audience: str) -> Message:
    """To people now invited by the organizer's calendar whose entry came from our email: METHOD:CANCEL removes
    that entry (the provider's has its own UID), and the text says the event itself stands."""
    language = recipient_language(plan, audience)
    return deliver(interview=interview, plan=plan, people=people, audience=audience, language=language,
                   wording=Wording(*ENTRY_REPLACED_BY_LANGUAGE.get(language, ENTRY_REPLACED)), method="CANCEL",
                   refusable=False)


def invitation_wording(interview: Interview, audience: str, language: str | None = None) -> Wording:
    """The invitation's wording for an interview whose invitations waited for its meeting link from before that
    wording was kept on the calendar invite (CalendarInvite.held_wording): what the recruiter sent from the wizard's
    step 2 (kept in the draft the interview was made from), else the company's in `language`."""
    draft = ScheduleDraft.objects.filter(company=interview.company, interview=interview).first()
    step2 = draft.step2 if draft is not None else {}
    subject, body = step2.get(f"{audience}_subject"), step2.get(f"{audience}_body")
    if subject and body:
        return Wording(subject[0].strip(), body[0].strip())
    return company_wording(interview.company, audience, Purpose.INVITATION, language)


def invitations_send(*, interview: Interview, held: Mapping[str, Mapping[str, str]] | None = None) -> list[int]:
    """The invitations that waited for the interview's meeting link (made or given up on): one message per
    audience invited by email, as interview_schedule would have sent them, worded as `held` keeps them per audience
    ({"subject", "body", "language"}: as they were when the recruiter pressed Send). Returns the message ids."""
    participants = list(interview.participants.all())
    plan = Plan.of(interview)
    sent = []
    for audience in (Audience.CANDIDATE, Audience.INTERVIEWERS):
        kept = (held or {}).get(audience)
        if kept:
            wording, language = Wording(kept["subject"], kept["body"]), kept.get("language") or None
        else:
            language = recipient_language(plan, audience)
            wording = invitation_wording(interview, audience, language)
        message = send(interview=interview, plan=plan, participants=participants, audience=audience,
                       purpose=Purpose.INVITATION, wording=wording, language=language)
        if message is not None:
            sent.append(message.pk)
    return sent


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
