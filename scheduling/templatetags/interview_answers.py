"""Answers and changes made in the calendar, for the interview page and the candidate page's interview list."""

from __future__ import annotations

from django import template
from django.db.models import Prefetch

from ..models import CalendarInvite, Participant
from ..outside_changes import outside_change_summary
from ..selectors import answers_by_email_only

register = template.Library()


@register.simple_tag
def outside_change_text(invite: CalendarInvite | None) -> str:
    """"Moved in Google Calendar to Thu 14:00–15:00", or "" when the calendar agrees with the interview."""
    if invite is None or not invite.outside_change:
        return ""
    return outside_change_summary(invite)


@register.filter
def has_email_only(participants) -> bool:
    """Whether anyone in (participant, answer) pairs or participants was invited by email only."""
    people = [p[0] if isinstance(p, tuple) else p for p in participants]
    return answers_by_email_only(people)


@register.simple_tag
def interviews_with_answers(candidate):
    """The candidate's interviews with their participants (one query for all of them)."""
    return candidate.interviews.prefetch_related(
        Prefetch("participants", queryset=Participant.objects.filter(company=candidate.company_id)))
