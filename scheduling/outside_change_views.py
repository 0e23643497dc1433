"""The recruiter's answer to a change made in the calendar: apply it, restore ours, or (for a deleted event) cancel
the interview or recreate the event. POST only; recruiters and admins."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruitee.tenancy.access import require_recruiter

from . import outside_changes
from .access import get_interview_for_member


def _decide(request: HttpRequest, company_slug: str, interview_id: int, action: Callable, done: str) -> HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    try:
        action(interview=interview, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)


@require_POST
def apply(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    return _decide(request, company_slug, interview_id, outside_changes.outside_change_apply,
                   _("The interview takes the calendar's time; everyone invited by email gets the update."))


@require_POST
def restore(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    return _decide(request, company_slug, interview_id, outside_changes.outside_change_restore,
                   _("The calendar event is being set back to the interview's time and people."))


@require_POST
def cancel(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    return _decide(request, company_slug, interview_id, outside_changes.outside_change_cancel,
                   _("The interview is cancelled; everyone invited by email is told."))


@require_POST
def recreate(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    return _decide(request, company_slug, interview_id, outside_changes.outside_change_recreate,
                   _("The calendar event is being created again; its attendees are invited again."))
