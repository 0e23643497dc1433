"""The member's home page, where they land after signing in: their interviews of the coming days and what needs
them. Recruiters and admins also see what went wrong and what happened lately; interviewers what they owe."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from recruitee.zones import zone_or_utc

from . import home


@require_GET
def company_home(request: HttpRequest, company_slug: str) -> HttpResponse:
    member, now = request.membership, timezone.now()
    zone = zone_or_utc(request.user.time_zone)
    days, more = home.upcoming(member, now=now, zone=zone)
    context = {"days": days, "more_upcoming": more, "zone": zone, "now": now, "home_days": home.HOME_DAYS}
    if member.can_recruit:
        context.update(declines=home.declines(member, now=now, zone=zone),
                       attention=home.needs_attention(member, now=now, zone=zone),
                       activity=home.recent_activity(member, now=now, zone=zone))
    else:
        context.update(owed=home.answers_owed(member, now=now, zone=zone),
                       calendar_problems=home.calendar_problems(member))
    return render(request, "scheduling/home.html", context)
