"""Attendees' answers, as the organizer's synced calendar reports them, kept on the participants.

The calendar sync announces which provider events a committed page wrote or removed (calendars.sync.signals); for
the interviews whose provider event is among them, this stores each participant's answer where it changed (one
history entry per change), tells the organizer once of a decline, and has outside_changes.py compare the event
with the interview.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy
from django_scopes import scope

from calendars.models import Event
from calendars.signals import events_synced
from mailbox.addresses import Address
from mailbox.models import Message
from mailbox.services import message_send
from recruitee.tenancy.languages import member_language, speaking
from recruitee.tenancy.services import audit_record, in_english

from .models import CalendarInvite, Interview, InterviewMessage, Participant
from .outside_changes import outside_change_detect

logger = logging.getLogger(__name__)

ANSWERED = {
    Participant.Response.ACCEPTED: gettext_lazy("%(name)s accepted"),
    Participant.Response.TENTATIVE: gettext_lazy("%(name)s answered maybe"),
    Participant.Response.DECLINED: gettext_lazy("%(name)s declined"),
    Participant.Response.NEEDS_ACTION: gettext_lazy("%(name)s has not answered yet"),
}


def answer_sentence(name: str, response: str) -> str:
    """"Dana accepted", in the active language (the interview's history keeps it in English, with the name and the
    response in its data, so a page can say it in its reader's language)."""
    return str(ANSWERED[response]) % {"name": name}


@receiver(events_synced, dispatch_uid="scheduling.answers_from_sync")
def on_events_synced(sender, *, company_id: int, connection_id: int, provider_event_ids: frozenset[str],
                     complete: bool = False, **kwargs) -> None:
    with scope(company=company_id):
        invites_refresh(company_id=company_id, connection_id=connection_id, provider_event_ids=provider_event_ids,
                        complete=complete)


def invites_refresh(*, company_id: int, connection_id: int, provider_event_ids: Iterable[str],
                    complete: bool = False) -> int:
    """Bring the interviews whose provider event changed up to date with it (answers, outside changes). With
    `complete` (a full sync has just finished) every upcoming interview of the connection is looked at. Returns how many
    interviews were looked at. Three queries when none of the ids is ours."""
    invites = (CalendarInvite.objects.filter(company_id=company_id, connection_id=connection_id,
                                             interview__status=Interview.Status.SCHEDULED)
               .exclude(provider_event_id="").exclude(status=CalendarInvite.Status.CANCELLED))
    if complete:
        # After a full sync, only what is still to come: past interviews' answers and events are history.
        invites = invites.filter(interview__end__gt=timezone.now())
    else:
        ids = list(provider_event_ids)
        if not ids:
            return 0
        invites = invites.filter(provider_event_id__in=ids)
    invites = list(invites.select_related("interview__candidate", "interview__organizer__user", "interview__company"))
    if not invites:
        return 0
    events = {}
    for event in (Event.objects.filter(company_id=company_id, calendar__connection_id=connection_id,
                                       provider_event_id__in=[i.provider_event_id for i in invites])
                  .only("provider_event_id", "start", "end", "status", "attendees", "organizer_email")):
        events.setdefault(event.provider_event_id, event)
    for invite in invites:
        event = events.get(invite.provider_event_id)
        with transaction.atomic():
            if event is not None and event.status != "cancelled":
                answers_store(interview=invite.interview, attendees=event.attendees or [])
            outside_change_detect(invite=invite, event=event, complete=complete)
    return len(invites)


def answers_store(*, interview: Interview, attendees: list[dict]) -> list[Participant]:
    """Store each participant's answer from the provider event's attendees (matched by address, whatever its
    case) where it differs from ours: one history entry per change, one email to the organizer per new decline.
    Returns the participants whose answer changed."""
    answers = {}
    for attendee in attendees:
        email = str(attendee.get("email") or "").casefold()
        response = attendee.get("response")
        if email and response in Participant.Response.values:
            answers[email] = response
    if not answers:
        return []
    now = timezone.now()
    changed = []
    participants = (Participant.objects.select_for_update()
                    .filter(company=interview.company, interview=interview).order_by("pk"))
    for participant in participants:
        response = answers.get(participant.email.casefold())
        if response is None or response == participant.response:
            continue
        participant.response, participant.response_at = response, now
        participant.save(update_fields=["response", "response_at"])
        changed.append(participant)
        with in_english():  # a record
            detail = answer_sentence(participant.name, response)
        audit_record(company=interview.company, actor=None, action="interview.answered", target=interview,
                     summary=f"{interview.title} with {interview.candidate.full_name}: {detail}",
                     detail=detail, email=participant.email, response=response,
                     name=participant.name,  # "Dana accepted": no "by" line
                     title=interview.title, candidate=interview.candidate.full_name)
        if response == Participant.Response.DECLINED:
            _tell_organizer_of_decline(interview, participant)
    return changed


def _tell_organizer_of_decline(interview: Interview, participant: Participant) -> None:
    organizer = interview.organizer
    if organizer is None or organizer.user_id is None:
        return
    path = reverse("scheduling:interview-detail",
                   kwargs={"company_slug": interview.company.slug, "interview_id": interview.pk})
    # In the organizer's language, the time in the interview's zone.
    with speaking(member_language(organizer)), timezone.override(ZoneInfo(interview.time_zone)):
        when = f"{date_format(timezone.localtime(interview.start), 'DATETIME_FORMAT')} ({interview.time_zone})"
        text = gettext(
            "%(name)s (%(email)s) declined the invitation to %(title)s with %(candidate)s on %(when)s.\n\n"
            "Find another time or another interviewer: %(link)s\n"
        ) % {"name": participant.name, "email": participant.email, "title": interview.title,
             "candidate": interview.candidate.full_name, "when": when, "link": f"{settings.SITE_URL}{path}"}
        subject = gettext("%(name)s declined: %(title)s") % {"name": participant.name, "title": interview.title}
    try:
        with transaction.atomic():  # a savepoint: a refused email must not undo the stored answer
            message = message_send(
                company=interview.company, audience=Message.Audience.TEAM,
                to=[Address(email=organizer.user.email, name=organizer.user.display_name)],
                subject=subject, text=text, refusable=False,
            )
            InterviewMessage.objects.create(company=interview.company, interview=interview, message=message)
    except Exception:
        # The answer stays stored and the home page's alert lists it either way.
        logger.exception("Could not tell the organizer of interview %s about a decline", interview.pk)
