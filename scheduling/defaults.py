"""The wording a company starts with, per audience and purpose, until an admin edits it in settings."""

from .models import Audience, Purpose

DEFAULT_TEMPLATES: dict[tuple[str, str], tuple[str, str]] = {
    (Audience.CANDIDATE, Purpose.INVITATION): (
        "{event_type} with {company_name}: {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "thank you for your interest in the {job_title} position at {company_name}. We would like to invite you to "
        "a {event_type} ({event_duration}):\n\n"
        "When: {event_date}, {event_time}–{event_end_time} ({time_zone})\n"
        "Where: {location}\n"
        "Video call: {video_link}\n"
        "With: {interviewers}\n\n"
        "{note}\n\n"
        "Please accept the calendar invitation. If the time does not suit you, just reply to this email.\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.UPDATE): (
        "New time for your {event_type} with {company_name}: {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "we had to change your {event_type} for the {job_title} position (it was on {previous_event_date} at "
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
        "unfortunately we have to cancel your {event_type} on {event_date} at {event_time} ({time_zone}). "
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
        "the {event_type} with {candidate_name} ({job_title}) has moved from {previous_event_date} at "
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
        "the {event_type} with {candidate_name} ({job_title}) on {event_date} at {event_time} ({time_zone}) is "
        "cancelled.\n\n"
        "Cancelled by {organizer_name}.",
    ),
    (Audience.CANDIDATE, Purpose.SCHEDULING_LINK): (
        "{company_name}: please pick a time for your {event_type}",
        "Hi {candidate_first_name},\n\n"
        "thank you for your interest in the {job_title} position at {company_name}. We would like to meet you "
        "({event_type}, {event_duration}). Please pick the time that suits you best:\n\n"
        "{scheduling_link}\n\n"
        "The link offers times until {scheduling_deadline}.\n"
        "Where: {location}\n\n"
        "{note}\n\n"
        "Best regards,\n{organizer_name}\n{company_name}",
    ),
    (Audience.CANDIDATE, Purpose.REMINDER): (
        "Reminder: {event_type} with {company_name} on {event_date} at {event_time}",
        "Hi {candidate_first_name},\n\n"
        "a short reminder of your {event_type} for the {job_title} position at {company_name}:\n\n"
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
