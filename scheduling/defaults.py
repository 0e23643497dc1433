"""The wording a company starts with, per audience, purpose and language, until an admin edits it in settings.

Written to read well whatever the company and the event are called: a sentence never ends with {company_name}
("Acme Inc." would end it with two full stops), the event's type is never after "a" (no "a Interview"), and in
the middle of a sentence it is {event_type_lower} ("your video call"); {event_type} starts a subject or a line.

German: Sie-form (locale/GLOSSARY.md). Every event type is neuter in German ("Vorstellungsgespräch", "telefonisches
Vorgespräch", "Videogespräch", "Vorstellungsgespräch vor Ort"), and some carry an adjective, so {event_type_lower}
only follows words with strong endings that fit every type: "Ihr", "ein" (nominative or accusative). Where another
case or article would be needed, the text speaks of "der Termin" and names the type after it.
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

GERMAN_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (Audience.CANDIDATE, Purpose.INVITATION): (
        "{event_type} bei {company_name}: {event_date} um {event_time} Uhr",
        "Guten Tag {candidate_name},\n\n"
        "vielen Dank für Ihr Interesse an der Stelle „{job_title}“. Wir bei {company_name} möchten Sie gern "
        "kennenlernen:\n\n"
        "Was: {event_type} ({event_duration})\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n"
        "Mit: {interviewers}\n\n"
        "{note}\n\n"
        "Bitte nehmen Sie die Kalendereinladung an. Falls Ihnen der Termin nicht passt, antworten Sie einfach auf "
        "diese E-Mail.\n\n"
        "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.UPDATE): (
        "Neuer Termin für Ihr {event_type_lower} bei {company_name}: {event_date} um {event_time} Uhr",
        "Guten Tag {candidate_name},\n\n"
        "wir mussten Ihr {event_type_lower} für die Stelle „{job_title}“ verschieben (bisher am "
        "{previous_event_date} um {previous_event_time} Uhr). Die neuen Angaben:\n\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n\n"
        "Bitte entschuldigen Sie die Umstände. Falls Ihnen der neue Termin nicht passt, antworten Sie einfach auf "
        "diese E-Mail.\n\n"
        "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.CANCELLATION): (
        "Abgesagt: {event_type} bei {company_name} am {event_date}",
        "Guten Tag {candidate_name},\n\n"
        "leider müssen wir Ihr {event_type_lower} am {event_date} um {event_time} Uhr ({time_zone}) absagen.\n\n"
        "{cancellation_note}\n\n"
        "Wir melden uns in Kürze bei Ihnen.\n\n"
        "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
    ),
    (Audience.INTERVIEWERS, Purpose.INVITATION): (
        "{event_type} mit {candidate_name} ({job_title}): {event_date} um {event_time} Uhr",
        "Guten Tag,\n\n"
        "Sie führen ein {event_type_lower} mit {candidate_name} für die Stelle „{job_title}“.\n\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n"
        "Interviewer*innen: {interviewers}\n"
        "Kandidat*in: {candidate_name} <{candidate_email}>\n\n"
        "{note}\n\n"
        "Geplant von {organizer_name}.",
    ),
    (Audience.INTERVIEWERS, Purpose.UPDATE): (
        "Verschoben: {event_type} mit {candidate_name}: {event_date} um {event_time} Uhr",
        "Guten Tag,\n\n"
        "der Termin mit {candidate_name} ({job_title}) wurde verschoben; bisher war er am {previous_event_date} um "
        "{previous_event_time} Uhr.\n\n"
        "Was: {event_type}\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n"
        "Interviewer*innen: {interviewers}\n\n"
        "Geändert von {organizer_name}.",
    ),
    (Audience.INTERVIEWERS, Purpose.CANCELLATION): (
        "Abgesagt: {event_type} mit {candidate_name} am {event_date}",
        "Guten Tag,\n\n"
        "der Termin mit {candidate_name} ({job_title}) am {event_date} um {event_time} Uhr ({time_zone}) wurde "
        "abgesagt.\n\n"
        "Was: {event_type}\n"
        "Grund: {cancellation_reason}\n\n"
        "Abgesagt von {organizer_name}.",
    ),
    (Audience.CANDIDATE, Purpose.SCHEDULING_LINK): (
        "{company_name}: Bitte wählen Sie einen Termin für Ihr {event_type_lower}",
        "Guten Tag {candidate_name},\n\n"
        "vielen Dank für Ihr Interesse an der Stelle „{job_title}“. Wir bei {company_name} möchten Sie gern "
        "kennenlernen. Bitte wählen Sie den Termin, der Ihnen am besten passt:\n\n"
        "{scheduling_link}\n\n"
        "Was: {event_type} ({event_duration})\n"
        "Wo: {location}\n"
        "Der Link bietet Termine bis {scheduling_deadline} an.\n\n"
        "{note}\n\n"
        "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.REMINDER): (
        "Erinnerung: {event_type} bei {company_name} am {event_date} um {event_time} Uhr",
        "Guten Tag {candidate_name},\n\n"
        "wir möchten Sie an Ihr {event_type_lower} für die Stelle „{job_title}“ bei {company_name} erinnern:\n\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n"
        "Mit: {interviewers}\n\n"
        "{note}\n\n"
        "Wir freuen uns auf das Gespräch mit Ihnen. Falls etwas dazwischengekommen ist, antworten Sie einfach auf "
        "diese E-Mail.\n\n"
        "Mit freundlichen Grüßen\n{organizer_name}\n{company_name}",
    ),
    (Audience.INTERVIEWERS, Purpose.REMINDER): (
        "Erinnerung: {event_type} mit {candidate_name}: {event_date} um {event_time} Uhr",
        "Guten Tag,\n\n"
        "zur Erinnerung: Sie führen ein {event_type_lower} mit {candidate_name} für die Stelle „{job_title}“.\n\n"
        "Wann: {event_date}, {event_time}–{event_end_time} Uhr ({time_zone})\n"
        "Wo: {location}\n"
        "Videolink: {video_link}\n"
        "Interviewer*innen: {interviewers}\n"
        "Kandidat*in: {candidate_name} <{candidate_email}>\n\n"
        "{note}\n\n"
        "Geplant von {organizer_name}.",
    ),
}

# The shipped defaults per language code (settings.LANGUAGES); a language without its own falls back to English.
DEFAULTS_BY_LANGUAGE: dict[str, dict[tuple[str, str], tuple[str, str]]] = {
    "en": DEFAULT_TEMPLATES,
    "de": GERMAN_TEMPLATES,
}


def default_wording(audience: str, purpose: str, language: str) -> tuple[str, str]:
    """The shipped (subject, body) for this audience, purpose and language."""
    return DEFAULTS_BY_LANGUAGE.get(language, DEFAULT_TEMPLATES)[(audience, purpose)]


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

ENTRY_REPLACED_BY_LANGUAGE: dict[str, tuple[str, str]] = {
    "en": ENTRY_REPLACED,
    "de": (
        "Kalendereintrag ersetzt: {event_title} am {event_date} um {event_time} Uhr",
        "Guten Tag,\n\n"
        "der Termin ({event_type}) am {event_date} um {event_time} Uhr ({time_zone}) findet weiterhin statt. Die "
        "Kalendereinladung dazu kommt ab jetzt aus dem Kalender von {organizer_name}, der sie Ihnen bereits "
        "geschickt hat.\n\n"
        "Diese E-Mail entfernt den Kalendereintrag, den unsere frühere E-Mail angelegt hat, damit Sie nur einen "
        "Eintrag behalten. Falls Ihr Kalender meldet, dass der Termin abgesagt wurde, betrifft das nur den früheren "
        "Eintrag.\n\n"
        "{organizer_name}\n{company_name}",
    ),
}
