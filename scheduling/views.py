"""The scheduling wizard, the interview page (the ledger), reschedule, cancel, and the company's templates."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from recruitee.params import parse_id
from recruitee.recruiting.access import get_candidate_for_member
from recruitee.tenancy.access import require_admin, require_recruiter

from . import emails, selectors, services
from .access import get_interview_for_member
from .availability import conflicts, find_time
from .drafts import draft_drop, draft_load, draft_save
from .forms import InviteForm, RescheduleForm, ScheduleForm, TemplateForm, initial_for, initial_from_interview
from .models import Audience, InviteTemplate, Purpose
from .placeholders import PLACEHOLDERS, UnknownPlaceholder, sample_values
from .plan import Plan


def _grid_context(request: HttpRequest, form: ScheduleForm, *, exclude=None) -> dict:
    """The Find time grid for what the form holds so far (a half-filled form still gets a grid)."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    day = data.get("date") or form.initial.get("date")
    zone = data.get("time_zone") or form.initial.get("time_zone") or request.company.time_zone
    if form.is_bound and not data.get("time_zone"):
        zone = request.company.time_zone
    interviewers = list(data.get("interviewers") or [])
    if isinstance(form, RescheduleForm) and not form.is_bound:
        interviewers = Plan.of(form.interview).interviewers
    proposed = (data["start"], data["end"]) if data.get("start") else None
    if proposed is None and exclude is not None and not form.is_bound:
        proposed = (exclude.start, exclude.end)
    organizer = getattr(form, "organizer", request.membership)
    if not isinstance(day, date):
        return {"grid": None, "conflicts": []}
    duration = (proposed[1] - proposed[0]) if proposed else timedelta(minutes=data.get("duration") or 60)
    grid = find_time(viewer=request.membership, organizer=organizer, interviewers=interviewers, day=day,
                     zone_name=zone, proposed=proposed, duration=duration, exclude=exclude)
    found = []
    if proposed:
        found = conflicts(viewer=request.membership, organizer=organizer, interviewers=interviewers,
                          start=proposed[0], end=proposed[1], zone_name=zone, exclude=exclude)
    return {"grid": grid, "conflicts": found}


def schedule(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """Step 1: what, when, who."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    draft_id = request.POST.get("draft") or request.GET.get("draft")
    kwargs = {"candidate": candidate, "organizer": request.membership,
              "initial": initial_for(candidate, request.membership)}
    if request.method == "POST":
        form = ScheduleForm(request.POST, **kwargs)
        if form.is_valid():
            draft_id = draft_save(request, candidate_id=candidate.pk, data=request.POST, draft_id=draft_id)
            url = reverse("scheduling:schedule-invite", kwargs={"company_slug": company_slug,
                                                                 "candidate_id": candidate.pk})
            return redirect(f"{url}?draft={draft_id}")
    else:
        saved = draft_load(request, candidate_id=candidate.pk, draft_id=draft_id)
        form = ScheduleForm(saved, **kwargs) if saved is not None else ScheduleForm(**kwargs)
        if saved is not None:
            form.is_valid()  # shows the grid and warnings for what was entered before
    return render(request, "scheduling/schedule.html", {
        "candidate": candidate, "form": form, "draft_id": draft_id or "", "step": 1,
        **_grid_context(request, form),
    })


@require_GET
def find_time_view(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """The grid alone, refreshed while the recruiter changes step 1 (htmx)."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    interview_id = parse_id(request.GET.get("interview"))
    if interview_id is not None:  # rescheduling: its own time is not a conflict, its people are the rows
        interview = get_interview_for_member(request.membership, interview_id)
        if interview.candidate_id != candidate.pk or interview.organizer is None:
            raise Http404
        form = RescheduleForm(request.GET, interview=interview, initial=initial_from_interview(interview))
    else:
        interview = None
        form = ScheduleForm(request.GET, candidate=candidate, organizer=request.membership,
                            initial=initial_for(candidate, request.membership))
    form.is_valid()
    return render(request, "scheduling/_find_time.html", {"candidate": candidate, "form": form,
                                                          **_grid_context(request, form, exclude=interview)})


def _calendar_label(request: HttpRequest) -> str | None:
    connection = selectors.organizer_connection(request.membership)
    return str(connection) if connection else None


def _previews(plan: Plan, form: InviteForm) -> dict[str, dict]:
    """Each message as its recipients will see it: their names, their time zone, the event's real values."""
    previews = {}
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    for audience in ("candidate", "interviewers"):
        subject = data.get(f"{audience}_subject", form[f"{audience}_subject"].value() or "")
        body = data.get(f"{audience}_body", form[f"{audience}_body"].value() or "")
        zone = emails.recipient_zone(plan, audience)
        if audience == "candidate":
            to = [plan.candidate.full_name] if plan.invite_candidate else []
        else:
            to = [m.user.display_name for m in plan.interviewers]
        try:
            rendered = emails.render(emails.Wording(subject, body), emails.values_for(plan, zone))
        except UnknownPlaceholder:
            rendered = None
        previews[audience] = {"to": to, "zone": emails.zone_label(plan.start, zone), "rendered": rendered}
    return previews


def schedule_invite(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """Step 2: how to invite, and the two emails."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    draft_id = request.POST.get("draft") or request.GET.get("draft")
    saved = draft_load(request, candidate_id=candidate.pk, draft_id=draft_id)
    step1_url = reverse("scheduling:schedule", kwargs={"company_slug": company_slug, "candidate_id": candidate.pk})
    if saved is None:
        messages.warning(request, "That scheduling draft has expired. Please start again.")
        return redirect(step1_url)
    step1 = ScheduleForm(saved, candidate=candidate, organizer=request.membership)
    if not step1.is_valid():
        messages.error(request, "Something in step 1 needs your attention.")
        return redirect(f"{step1_url}?draft={draft_id}")
    plan = step1.plan()
    calendar_label = _calendar_label(request)
    wordings = {audience: emails.company_wording(request.company, audience, Purpose.INVITATION)
                for audience in (Audience.CANDIDATE, Audience.INTERVIEWERS)}
    initial = {f"{audience}_{part}": getattr(wordings[audience], part)
               for audience in ("candidate", "interviewers") for part in ("subject", "body")}
    if request.method == "POST":
        form = InviteForm(request.POST, plan=plan, calendar_label=calendar_label, initial=initial)
        if form.is_valid() and request.POST.get("action") == "send":
            data = form.cleaned_data
            try:
                interview = services.interview_schedule(
                    plan=plan,
                    candidate_via=services.Channels(email=data["candidate_email"],
                                                    calendar=bool(data["candidate_calendar"])),
                    interviewers_via=services.Channels(email=data["interviewers_email"],
                                                       calendar=bool(data["interviewers_calendar"])),
                    candidate_wording=form.wording("candidate"), interviewers_wording=form.wording("interviewers"),
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                draft_drop(request, draft_id)
                messages.success(request, f"{interview.title} is scheduled; the invitations are on their way.")
                return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    else:
        form = InviteForm(plan=plan, calendar_label=calendar_label, initial=initial)
    edited_interviewers = form.is_bound and any(
        (form.data.get(f"interviewers_{part}") or "").replace("\r\n", "\n") != initial[f"interviewers_{part}"]
        for part in ("subject", "body"))
    return render(request, "scheduling/schedule_invite.html", {
        "candidate": candidate, "form": form, "plan": plan, "draft_id": draft_id, "step": 2,
        "step1_url": f"{step1_url}?draft={draft_id}", "warnings": step1.warnings,
        "conflicts": conflicts(viewer=request.membership, organizer=request.membership,
                               interviewers=plan.interviewers, start=plan.start, end=plan.end,
                               zone_name=plan.time_zone),
        "previews": _previews(plan, form), "placeholders": PLACEHOLDERS.values(),
        "calendar_label": calendar_label, "open_interviewers": edited_interviewers or bool(
            form.errors.get("interviewers_subject") or form.errors.get("interviewers_body")),
        "when": emails.values_for(plan, plan.time_zone),
    })


@require_GET
def interview_detail(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    interview = get_interview_for_member(request.membership, interview_id)
    invite = interview.calendar_invite if hasattr(interview, "calendar_invite") else None
    return render(request, "scheduling/interview_detail.html", {
        "interview": interview, "invite": invite,
        "participants": selectors.participants_with_responses(interview),
        "sent": selectors.interview_messages(interview).select_related("sender__user"),
        "changes": interview.changes.select_related("actor"),
        "when": emails.values_for(Plan.of(interview), interview.time_zone),
        "can_change": request.membership.can_recruit and not interview.is_cancelled,
    })


def interview_reschedule(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if interview.is_cancelled or interview.organizer is None:
        messages.error(request, "A cancelled interview cannot be rescheduled.")
        return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    data = request.POST if request.method == "POST" else None
    form = RescheduleForm(data, interview=interview, initial=initial_from_interview(interview))
    if form.is_bound and form.is_valid():
        try:
            before = interview.sequence
            interview = services.interview_reschedule(interview=interview, plan=form.plan(), actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if interview.sequence > before:
                messages.success(request, "Rescheduled. Everyone invited gets the update.")
            else:
                messages.success(request, "Saved. Time and place are unchanged, so nobody was sent an update.")
            return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    return render(request, "scheduling/reschedule.html", {
        "interview": interview, "candidate": interview.candidate, "form": form,
        **_grid_context(request, form, exclude=interview),
    })


def interview_cancel(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if request.method == "POST":
        services.interview_cancel(interview=interview, actor=request.user)
        messages.success(request, f"{interview.title} is cancelled; everyone invited is told.")
        return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    return render(request, "scheduling/cancel.html", {"interview": interview,
                                                      "participants": interview.participants.all()})


@require_POST
def calendar_retry(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if hasattr(interview, "calendar_invite"):
        services.calendar_invite_retry(interview=interview, actor=request.user)
        messages.info(request, "Trying the calendar invitation again.")
    return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)


TEMPLATE_CHOICES = [(a, p) for a in Audience.values for p in Purpose.values]


def template_settings(request: HttpRequest, company_slug: str) -> HttpResponse:
    """Admins edit the company's wording per audience and purpose; the previews use sample values."""
    require_admin(request.membership)
    audience = request.GET.get("audience") if request.GET.get("audience") in Audience.values else Audience.CANDIDATE
    purpose = request.GET.get("purpose") if request.GET.get("purpose") in Purpose.values else Purpose.INVITATION
    current = emails.company_wording(request.company, audience, purpose)
    row = InviteTemplate.objects.filter(company=request.company, audience=audience, purpose=purpose).first()
    form = TemplateForm(request.POST or None, initial={"subject": current.subject, "body": current.body})
    if request.method == "POST":
        here = f"{request.path}?audience={audience}&purpose={purpose}"
        if request.POST.get("action") == "reset":
            if row is not None:
                row.delete()
            messages.success(request, "Back to the default wording.")
            return redirect(here)
        if form.is_valid() and request.POST.get("action") == "save":
            InviteTemplate.objects.update_or_create(
                company=request.company, audience=audience, purpose=purpose,
                defaults={"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]},
            )
            messages.success(request, "Template saved. New invitations use it from now on.")
            return redirect(here)
    shown = emails.Wording(form["subject"].value() or "", form["body"].value() or "")
    try:
        preview = emails.render(shown, sample_values())
    except UnknownPlaceholder:
        preview = None
    customized = set(InviteTemplate.objects.filter(company=request.company).values_list("audience", "purpose"))
    tabs = [{"audience": a, "purpose": p, "label": f"{Audience(a).label}: {Purpose(p).label.lower()}",
             "active": (a, p) == (audience, purpose), "customized": (a, p) in customized}
            for a, p in TEMPLATE_CHOICES]
    return render(request, "scheduling/template_settings.html", {
        "form": form, "preview": preview, "tabs": tabs, "audience": Audience(audience), "purpose": Purpose(purpose),
        "placeholders": PLACEHOLDERS.values(), "is_custom": row is not None, "active": "templates",
    })
