"""The language of an interview's message to its interviewers, for the interview page."""

from __future__ import annotations

from django import template
from django.conf import settings

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.languages import company_language
from recruitee.tenancy.models import Company, Membership

from .. import emails
from ..models import Audience, Interview
from ..plan import Plan

register = template.Library()


def uses_several_languages(company: Company, *also: str) -> bool:
    """Whether the company writes in more than one language: its default, and the languages its members and its
    candidates chose (and `also`, languages it used elsewhere). With one only, naming it tells nobody anything."""
    default = company_language(company)
    others = set(dict(settings.LANGUAGES)) - {default}
    if others & set(also):
        return True
    return (Membership.objects.filter(company=company, user__language__in=others).exists()
            or Candidate.objects.filter(company=company, language__in=others).exists())


@register.simple_tag
def interviewers_language(interview: Interview) -> dict | None:
    """{"code": "de", "name": "Deutsch"}: the language the interviewers' messages are written in (chosen in the
    wizard's step 2; for older interviews the organizer's), when the interview has interviewers and its company uses
    more than one language; else None."""
    plan = Plan.of(interview)
    if not plan.interviewers:
        return None
    code = emails.recipient_language(plan, Audience.INTERVIEWERS)
    if not uses_several_languages(interview.company, code):
        return None
    return {"code": code, "name": dict(settings.LANGUAGES)[code]}
