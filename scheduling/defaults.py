"""The wording a company starts with, per audience and purpose, until an admin edits it in settings.

Written to read well whatever the company and the event are called: a sentence never ends with {company_name}
("Acme Inc." would end it with two full stops), the event's type is never after "a" (no "a Interview"), and in
the middle of a sentence it is {event_type_lower} ("your video call"); {event_type} starts a subject or a line.
"""

from .models import Audience, Purpose

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (Audience.CANDIDATE, Purpose.INVITATION): (
        "{event_type} with {company_name}: {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "thank you for your interest in the {job_title} position. We at {company_name} would like to meet you:\n\n"
        "What: {event_type} ({event_duration})\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "With: {interviewers}\n\n"
        "{note}\n\n"
        "Please accept the calendar invitation. If the time does not suit you, just reply to this email.\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.UPDATE): (
        "New time for your {event_type_lower} with {company_name}: {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "we had to change your {event_type_lower} for the {job_title} position (it was on {previous_event_date} at "
        "{previous_event_time}). The new details:\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n\n"
        "Sorry for the inconvenience. If the new time does not suit you, just reply to this email.\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.CANCELLATION): (
        "Cancelled: {event_type} with {company_name} on {event_date}",
        "Hi {candidate_first_name},\n\n"
        "unfortunately we have to cancel your {event_type_lower} on {event_date} at {event_time} ({time_zone}).\n\n"
        "{cancellation_note}\n\n"
        "We will get back to you shortly.\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.INTERVIEWERS, Purpose.INVITATION): (
        "{event_type} with {candidate_name} ({job_title}): {event_date} at {event_time}",
        "Hi,\n\n"
        "you are interviewing {candidate_name} for {job_title}.\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "Interviewers: {interviewers}\n"
        "Candidate: {candidate_name} <{candidate_email}>\n\n"
        "{note}\n\n"
        "Scheduled by {organizer_name}.",
    ),
    (Audience.INTERVIEWERS, Purpose.UPDATE): (
        "Rescheduled: {event_type} with {candidate_name}: {event_date} at {event_time}",
        "Hi,\n\n"
        "the {event_type_lower} with {candidate_name} ({job_title}) has moved from {previous_event_date} at "
        "{previous_event_time}.\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "Interviewers: {interviewers}\n\n"
        "Changed by {organizer_name}.",
    ),
    (Audience.INTERVIEWERS, Purpose.CANCELLATION): (
        "Cancelled: {event_type} with {candidate_name} on {event_date}",
        "Hi,\n\n"
        "the {event_type_lower} with {candidate_name} ({job_title}) on {event_date} at {event_time} ({time_zone}) "
        "is cancelled.\n\n"
        "Reason: {cancellation_reason}\n\n"
        "Cancelled by {organizer_name}.",
    ),
    (Audience.CANDIDATE, Purpose.SCHEDULING_LINK): (
        "{company_name}: please pick a time for your {event_type_lower}",
        "Hi {candidate_first_name},\n\n"
        "thank you for your interest in the {job_title} position. We at {company_name} would like to meet you. "
        "Please pick the time that suits you best:\n\n"
        "{scheduling_link}\n\n"
        "What: {event_type} ({event_duration})\n"
        "Where: {location}\n"
        "The link offers times until {scheduling_deadline}.\n\n"
        "{note}\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.REMINDER): (
        "Reminder: {event_type} with {company_name} on {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "a short reminder of your {event_type_lower} for the {job_title} position at {company_name}:\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "With: {interviewers}\n\n"
        "{note}\n\n"
        "We look forward to talking to you. If something came up, just reply to this email.\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.INTERVIEWERS, Purpose.REMINDER): (
        "Reminder: {event_type} with {candidate_name}: {event_date} at {event_time}",
        "Hi,\n\n"
        "a reminder that you are interviewing {candidate_name} for {job_title}.\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "Interviewers: {interviewers}\n"
        "Candidate: {candidate_name} <{candidate_email}>\n\n"
        "{note}\n\n"
        "Scheduled by {organizer_name}.",
    ),
}

# To people whose calendar entry now comes from the organizer's calendar instead of our email: the email's
# METHOD:CANCEL removes the entry our earlier email made, so that they keep one. Not a company template: it says
# what happened to their calendar, and that the event itself stands.
ENTRY_REPLACED: tuple[str, str] = (
    "Calendar entry replaced: {event_title} on {event_date} at {event_time}",
    "Hello,\n\n"
    "the {event_type_lower} on {event_date} at {event_time} ({time_zone}) still takes place. From now on its "
    "calendar invitation comes from the calendar of {organizer_name}, which has sent it to you.\n\n"
    "This email removes the calendar entry that our earlier email made, so that you keep one entry. If your "
    "calendar says the event was cancelled, that is the earlier entry.\n\n"
    "{organizer_name}\n{company_name}",
)
