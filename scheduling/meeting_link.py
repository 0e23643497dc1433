"""The update people get when an interview's video meeting link (Google Meet, Microsoft Teams) is made after their
invitations went out without it: a Retry of a meeting the calendar could not make at first.

The same update a reschedule sends (emails.send with Purpose.UPDATE: SEQUENCE + 1, the .ics under the interview's
UID, now carrying the link in LOCATION, URL and CONFERENCE), to the people invited by email. Those the organizer's
calendar invited get the provider's own update when the calendar task asks it for the meeting again.

Its wording is not a company template: the company's update template says the time changed, and here nothing but
the link did. Like the defaults, it exists per audience and language (Sie-form in German; see defaults.py on
{event_type_lower}).
"""

from __future__ import annotations

from django.db.models import F

from . import emails
from .models import Audience, Interview, Purpose
from .plan import Plan

MEETING_LINK_WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        Audience.CANDIDATE: (
            "Video link for your {event_type_lower} with {company_name}: {event_date} at {event_time}",
            "Hi {candidate_first_name},\n\n"
            "the video link for your {event_type_lower} for the {job_title} position is ready. Nothing else has "
            "changed:\n\n"
            "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
            "Where: {location}\n"
            "Video call: {video_link}\n\n"
            "Best regards,\n{organizer_name}\n{company_name}",
        ),
        Audience.INTERVIEWERS: (
            "Video link: {event_type} with {candidate_name}: {event_date} at {event_time}",
            "Hi,\n\n"
            "the video link for the {event_type_lower} with {candidate_name} ({job_title}) is ready. Nothing else has "
            "changed.\n\n"
            "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
            "Where: {location}\n"
            "Video call: {video_link}\n"
            "Interviewers: {interviewers}\n\n"
            "Scheduled by {organizer_name}.",
        ),
    },
    "de": {
        Audience.CANDIDATE: (
            "Videolink für Ihr {event_type_lower} bei {company_name}: {event_date} um {event_time} Uhr",
            "Guten Tag {candidate_name},\n\n"
            "der Videolink für Ihr {event_type_lower} (Stelle „{job_title}“) steht jetzt bereit. Alles andere bleibt, "
            "wie es war:\n\n"
            "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
            "Wo: {location}\n"
            "Videolink: {video_link}\n\n"
            "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
        ),
        Audience.INTERVIEWERS: (
            "Videolink: {event_type} mit {candidate_name}: {event_date} um {event_time} Uhr",
            "Guten Tag,\n\n"
            "der Videolink für den Termin mit {candidate_name} ({job_title}) steht jetzt bereit. Alles andere bleibt, "
            "wie es war.\n\n"
            "Was: {event_type}\n"
            "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
            "Wo: {location}\n"
            "Videolink: {video_link}\n"
            "Interviewer*innen: {interviewers}\n\n"
            "Geplant von {organizer_name}.",
        ),
    },
}


def meeting_link_wording(audience: str, language: str) -> emails.Wording:
    """The update's wording for this audience in `language` (English for a language without its own)."""
    by_audience = MEETING_LINK_WORDING.get(language, MEETING_LINK_WORDING["en"])
    return emails.Wording(*by_audience[audience])


def meeting_link_announce(*, interview: Interview) -> list[int]:
    """The interview's meeting link exists now, after its invitations went out without it: SEQUENCE + 1 and an
    update to everyone invited by email. Returns the message ids. The caller holds the calendar invite's row lock
    and moves the meeting out of "retrying" in the same transaction, so this runs once per link."""
    # An atomic increment: a reschedule may be raising SEQUENCE at the same moment.
    Interview.objects.filter(pk=interview.pk, company=interview.company).update(sequence=F("sequence") + 1)
    interview.refresh_from_db(fields=["sequence", "video_link"])
    participants = list(interview.participants.all())
    plan = Plan.of(interview)
    sent = []
    for audience in (Audience.CANDIDATE, Audience.INTERVIEWERS):
        language = emails.recipient_language(plan, audience)
        message = emails.send(interview=interview, plan=plan, participants=participants, audience=audience,
                              purpose=Purpose.UPDATE, wording=meeting_link_wording(audience, language))
        if message is not None:
            sent.append(message.pk)
    return sent
