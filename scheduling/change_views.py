"""Reschedule and cancel an interview, with the emails edited for this event as in the wizard's step 2: who is
told and how, the text of each audience's email (from the company's update or cancellation template), and a
preview that follows what is typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendars.models import Provider
from recruitee.tenancy.access import require_recruiter

from . import emails, services
from .access import get_interview_for_member
from .change_forms import AUDIENCES, ROLE, CancelForm, RescheduleEmailsForm, current_channels
from .forms import RescheduleForm, initial_from_interview
from .invitation_calendar import SendingCalendar, interview_calendar
from .models import Audience, Interview, Participant
from .placeholders import RenderedTooLong, UnknownPlaceholder, placeholders_for
from .plan import Plan
from .services import Channels
from .views import _grid_context


def _calendar(sending: SendingCalendar) -> tuple[str | None, str]:
    """(the label of the calendar that invites people, its provider's name): the calendar the interview is sent
    from (invitation_calendar.py); (None, "") without one that works."""
    if not sending.usable:
        return None, ""
    connection = sending.connection
    return str(connection), dict(Provider.choices).get(connection.provider, connection.provider)


def _preview(plan: Plan, wording: emails.Wording, audience: str, to: list[str], *,
             previous: tuple | None = None, notice: str = "") -> dict:
    zone = emails.recipient_zone(plan, audience)
    try:
        rendered = emails.render(wording, emails.recipient_values(plan, audience, previous=previous))
    except (UnknownPlaceholder, RenderedTooLong):
        rendered = None
    return {"to": to, "zone": emails.zone_label(plan.start, zone), "rendered": rendered, "notice": notice}


def _text(form, audience: str) -> emails.Wording:
    return emails.Wording(form[f"{audience}_subject"].value() or "", form[f"{audience}_body"].value() or "")


# --- reschedule --------------------------------------------------------------------------------------------------


def _reschedule_state(request: HttpRequest, interview: Interview) -> dict:
    """Both forms of the page for this request, and each audience's part of "who is told, and how"."""
    data = request.POST if request.method == "POST" else None
    form = RescheduleForm(data, interview=interview, initial=initial_from_interview(interview))
    valid = form.is_bound and form.is_valid()
    plan = form.plan() if valid else Plan.of(interview)
    sending = interview_calendar(interview)
    calendar_label, provider = _calendar(sending)
    emails_form = RescheduleEmailsForm(data, interview=interview, plan=plan, calendar_label=calendar_label,
                                       calendar_lost=sending.lost_words)
    if emails_form.is_bound:
        emails_form.is_valid()
    # As the service decides it: a meeting made by the calendar keeps its link whatever the form says.
    video_link = interview.video_link if interview.online_meeting else plan.video_link
    moved = (plan.start, plan.end, plan.location, video_link) != (
        interview.start, interview.end, interview.location, interview.video_link)
    staying = {p.member_id for p in interview.participants.all() if p.role == Participant.Role.INTERVIEWER}
    sections = []
    for audience in AUDIENCES:
        if audience == Audience.CANDIDATE:
            if not plan.invite_candidate:
                continue
            to = [plan.candidate.full_name]
            title = _("Update to %(candidate)s") % {"candidate": plan.candidate.full_name}
        else:
            if not plan.interviewers:
                continue
            to = [m.user.display_name for m in plan.interviewers if m.pk in staying]
            title = _("Update to the interviewers")
        notice = "" if moved else _("The time and place are unchanged, so this update is not sent. A new title or "
                                    "note only updates the calendar event.")
        if moved and not to:
            notice = _("Only new interviewers: they get the invitation instead.")
        by_email, by_calendar = emails_form.by_email(audience), emails_form.by_calendar(audience)
        sections.append({
            "audience": audience, "title": title, "by_email": by_email, "by_calendar": by_calendar,
            "switch_note": _switch_note(current_channels(interview, audience), by_email, by_calendar,
                                        calendar_label=calendar_label or "", moved=moved),
            "email_field": emails_form[f"{audience}_email"], "calendar_field": emails_form[f"{audience}_calendar"],
            "subject_field": emails_form[f"{audience}_subject"], "body_field": emails_form[f"{audience}_body"],
            "preview": _preview(plan, _text(emails_form, audience), audience, to,
                                previous=(interview.start, interview.end), notice=notice),
        })
    return {"form": form, "emails_form": emails_form, "plan": plan, "sections": sections, "provider": provider,
            "calendar_label": calendar_label, "moved": moved, "calendar_lost": _lost_notice(interview, sending),
            "placeholders": placeholders_for(cancelling=False),
            "preview_url": reverse("scheduling:interview-reschedule-preview",
                                   kwargs={"company_slug": request.company.slug, "interview_id": interview.pk})}


def _switch_note(was: Channels, by_email: bool, by_calendar: bool, *, calendar_label: str, moved: bool) -> str:
    """What a change of channel does to people's calendars, in a sentence: they keep one entry either way."""
    if not was.calendar and by_calendar and was.email:
        return _("They are added to the event in %(calendar)s, whose invitation replaces the calendar entry of our "
                 "earlier email: they keep one entry.") % {"calendar": calendar_label}
    if was.calendar and not by_calendar and by_email:
        note = _("They are removed from the event in %(calendar)s, and our email brings their calendar entry "
                 "instead: they keep one entry.") % {"calendar": calendar_label}
        if not moved:
            note += " " + _("As the time and place are unchanged, that email is the invitation in your company’s "
                            "words.")
        return note
    return ""


def _reschedulable(request: HttpRequest, company_slug: str, interview_id: int) -> Interview | HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if interview.is_cancelled or interview.organizer is None:
        messages.error(request, _("A cancelled interview cannot be rescheduled."))
        return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    return interview


def interview_reschedule(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    """Time, place and people (as step 1), then who is told and how, with the update emails (as step 2)."""
    interview = _reschedulable(request, company_slug, interview_id)
    if isinstance(interview, HttpResponse):
        return interview
    state = _reschedule_state(request, interview)
    form, emails_form = state["form"], state["emails_form"]
    sending = request.method == "POST" and request.POST.get("action") != "preview"
    if sending and form.is_valid() and (not emails_form.is_bound or emails_form.is_valid()):
        try:
            before = interview.sequence
            interview = services.interview_reschedule(
                interview=interview, plan=state["plan"], actor=request.user,
                candidate_via=emails_form.channels(Audience.CANDIDATE),
                interviewers_via=emails_form.channels(Audience.INTERVIEWERS),
                candidate_wording=emails_form.edited_wording(Audience.CANDIDATE),
                interviewers_wording=emails_form.edited_wording(Audience.INTERVIEWERS),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if interview.sequence > before:
                messages.success(request, _("Rescheduled. Everyone invited gets the update."))
            else:
                messages.success(request, _("Saved. Time and place are unchanged, so nobody was sent an update."))
            if state["calendar_lost"] and interview.sequence > before:
                messages.warning(request, state["calendar_lost"])
            return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    return render(request, "scheduling/reschedule.html", {
        "interview": interview, "candidate": interview.candidate, **state,
        **_grid_context(request, form, exclude=interview),
    })


@require_POST
def reschedule_preview(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    """One audience's part of the page for what the form holds now (htmx): its channels, editor and preview."""
    interview = _reschedulable(request, company_slug, interview_id)
    if isinstance(interview, HttpResponse):
        return interview
    state = _reschedule_state(request, interview)
    wanted = request.POST.get("audience")
    section = next((s for s in state["sections"] if s["audience"] == wanted), None)
    if section is None:
        return HttpResponse(status=204)
    return render(request, "scheduling/_change_audience.html", {**state, "section": section, "purpose": "update"})


# --- cancel ------------------------------------------------------------------------------------------------------


def _lost_notice(interview: Interview, sending: SendingCalendar) -> str:
    """What the page says when the calendar that invited people is gone: how they are told instead."""
    if not sending.lost or not any(p.by_calendar for p in interview.participants.all()):
        return ""
    return _("%(reason)s. It invited some of the people to this interview, and cannot tell them anything now: they "
             "get our email instead (an entry that calendar made stays in their calendars as it was).") % {
        "reason": sending.lost_words}


def _cancel_state(request: HttpRequest, interview: Interview) -> dict:
    sending = interview_calendar(interview)
    lost = bool(_lost_notice(interview, sending))
    form = CancelForm(request.POST if request.method == "POST" else None, interview=interview, calendar_lost=lost)
    if form.is_bound:
        form.is_valid()
    plan = form.plan()
    _label, provider = _calendar(sending)
    people = list(interview.participants.all())
    sections = []
    for audience in AUDIENCES:
        invited = [p for p in people if p.role == ROLE[audience]]
        if not invited:
            continue
        channels = current_channels(interview, audience)
        if lost:  # our email tells those the calendar invited (services.interview_cancel)
            channels = Channels(email=channels.any, calendar=False)
        title = (_("Cancellation to %(candidate)s") % {"candidate": plan.candidate.full_name}
                 if audience == Audience.CANDIDATE else _("Cancellation to the interviewers"))
        sections.append({
            "audience": audience, "title": title, "by_email": channels.email, "by_calendar": channels.calendar,
            "subject_field": form[f"{audience}_subject"], "body_field": form[f"{audience}_body"],
            "preview": _preview(plan, _text(form, audience), audience,
                                [p.name for p in invited if p.by_email or (lost and p.by_calendar)]),
        })
    return {"form": form, "plan": plan, "sections": sections, "provider": provider, "participants": people,
            "calendar_lost": _lost_notice(interview, sending),
            "placeholders": placeholders_for(cancelling=True),
            "preview_url": reverse("scheduling:interview-cancel-preview",
                                   kwargs={"company_slug": request.company.slug, "interview_id": interview.pk})}


def interview_cancel(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    """Why (optional), a note to the candidate (optional), and the cancellation emails, then cancel."""
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if interview.is_cancelled:
        messages.info(request, _("%(title)s is already cancelled.") % {"title": interview.title})
        return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    state = _cancel_state(request, interview)
    form = state["form"]
    if request.method == "POST" and request.POST.get("action") != "preview" and form.is_valid():
        try:
            services.interview_cancel(
                interview=interview, actor=request.user, reason=form.cleaned_data["reason_text"],
                note=form.cleaned_data["note_to_candidate"],
                candidate_wording=form.edited_wording(Audience.CANDIDATE),
                interviewers_wording=form.edited_wording(Audience.INTERVIEWERS),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(title)s is cancelled; everyone invited is told.") % {
                "title": interview.title})
            if state["calendar_lost"]:
                messages.warning(request, state["calendar_lost"])
            return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    return render(request, "scheduling/cancel.html", {"interview": interview, **state})


@require_POST
def cancel_preview(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    """One audience's cancellation editor and preview for what the form holds now (htmx)."""
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if interview.is_cancelled:
        return HttpResponse(status=204)
    state = _cancel_state(request, interview)
    wanted = request.POST.get("audience")
    section = next((s for s in state["sections"] if s["audience"] == wanted), None)
    if section is None:
        return HttpResponse(status=204)
    return render(request, "scheduling/_change_audience.html", {**state, "section": section,
                                                                 "purpose": "cancellation"})
