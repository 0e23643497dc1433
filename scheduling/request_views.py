"""The recruiter's side of scheduling links: send one (with a preview of the slots and of the email), withdraw it,
send it again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from recruitee.recruiting.access import get_candidate_for_member
from recruitee.tenancy.access import require_recruiter

from . import emails
from .access import get_scheduling_request_for_member
from .invitation_calendar import sender_choices
from .placeholders import PLACEHOLDERS, RenderedTooLong, UnknownPlaceholder
from .request_forms import DURATION_CHOICES, SchedulingRequestForm, initial_request
from .self_scheduling import (
    request_preview,
    scheduling_request_resend,
    scheduling_request_send,
    scheduling_request_withdraw,
)

# A link email names no time: these placeholders are always empty in it, so the list leaves them out.
NOT_IN_LINK_EMAILS = {"event_date", "event_time", "event_end_time", "previous_event_date", "previous_event_time",
                      "cancellation_reason", "cancellation_note"}


def _email_preview(form: SchedulingRequestForm, candidate) -> dict:
    """The link email as the candidate will read it (with a sample link: the real one exists once it is sent)."""
    subject = form.cleaned_data.get("subject") if hasattr(form, "cleaned_data") else None
    body = form.cleaned_data.get("body") if hasattr(form, "cleaned_data") else None
    subject = subject if subject is not None else (form["subject"].value() or "")
    body = body if body is not None else (form["body"].value() or "")
    values = form.wording_values()
    try:
        rendered = emails.render(emails.Wording(str(subject), str(body)), values)
    except (UnknownPlaceholder, RenderedTooLong):
        rendered = None
    return {"to": [candidate.full_name], "zone": candidate.time_zone or form.spec(draft=True).time_zone,
            "rendered": rendered}


def _same_reasons(preview) -> list[str]:
    """The reasons, when every day of the window is empty for the same ones (a panel member without a calendar):
    said once instead of once a day."""
    if preview is None or preview.slot_count or not preview.days:
        return []
    first = preview.days[0].reasons
    return first if first and all(day.reasons == first for day in preview.days) else []


def self_schedule(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """One page: the request, "Preview" (the slots the candidate would see, the email) and "Send link"."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    senders, connection = sender_choices(request.membership)
    calendar_label = str(connection) if connection else None
    options = {"candidate": candidate, "organizer": request.membership, "calendar_label": calendar_label,
               "senders": senders, "default_sender": connection,
               "initial": initial_request(candidate=candidate, organizer=request.membership)}
    preview = None
    if request.method == "POST":
        form = SchedulingRequestForm(request.POST, **options)
        if form.is_valid():
            # What the candidate would see now: shown for "Preview", and checked before "Send link".
            preview = request_preview(organizer=request.membership, candidate=candidate, spec=form.spec())
            if request.POST.get("action") == "send":
                try:
                    scheduling_request = scheduling_request_send(
                        organizer=request.membership, candidate=candidate, spec=form.spec(),
                        wording=form.wording(), actor=request.user)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("The scheduling link for “%(title)s” is on its way to %(name)s.")
                                     % {"title": scheduling_request.title, "name": candidate.full_name})
                    return redirect("recruiting:candidate-detail", company_slug=company_slug,
                                    candidate_id=candidate.pk)
    else:
        form = SchedulingRequestForm(**options)
    return render(request, "scheduling/self_schedule.html", {
        "candidate": candidate, "form": form, "preview": preview, "same_reasons": _same_reasons(preview),
        "calendar_label": calendar_label,
        "email_preview": _email_preview(form, candidate), "durations": DURATION_CHOICES,
        "placeholders": [p for name, p in PLACEHOLDERS.items() if name not in NOT_IN_LINK_EMAILS],
    }, status=400 if form.errors else 200)


@require_POST
def self_schedule_withdraw(request: HttpRequest, company_slug: str, request_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    scheduling_request = get_scheduling_request_for_member(request.membership, request_id)
    try:
        scheduling_request_withdraw(scheduling_request=scheduling_request, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The scheduling link for “%(title)s” was withdrawn: it no longer works.")
                         % {"title": scheduling_request.title})
    return redirect("recruiting:candidate-detail", company_slug=company_slug,
                    candidate_id=scheduling_request.candidate_id)


@require_POST
def self_schedule_resend(request: HttpRequest, company_slug: str, request_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    scheduling_request = get_scheduling_request_for_member(request.membership, request_id)
    try:
        scheduling_request_resend(scheduling_request=scheduling_request, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new scheduling link for “%(title)s” was sent to %(name)s; the old link no "
                                    "longer works.")
                         % {"title": scheduling_request.title, "name": scheduling_request.candidate.full_name})
    return redirect("recruiting:candidate-detail", company_slug=company_slug,
                    candidate_id=scheduling_request.candidate_id)
