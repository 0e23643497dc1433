"""The scheduling wizard, the interview page (the ledger), and the calendar week that shows synced events and
interviews together."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from calendars.providers import get_provider
from recruitee.params import parse_id, parse_ids
from recruitee.recruiting.access import get_candidate_for_member
from recruitee.recruiting.pipeline import stage_on_schedule
from recruitee.tenancy.access import require_recruiter
from recruitee.tenancy.languages import member_language
from recruitee.tenancy.models import Company, Membership
from recruitee.zones import zone_or_utc

from . import emails, selectors, services
from . import week as week_page
from .access import get_interview_for_member
from .availability import LOOKAHEAD, availability, conflicts, find_time, grid_window, people_of, range_days
from .drafts import as_query_dict, draft_load, draft_save_step1, draft_save_step2
from .find_time_layout import finish_grid
from .forms import InviteForm, RescheduleForm, ScheduleForm, initial_for, initial_from_interview
from .invitation_calendar import sender_choices
from .models import Audience, Purpose, ScheduleDraft
from .placeholders import RenderedTooLong, UnknownPlaceholder, placeholders_for
from .plan import Plan
from .timezones import is_plausible_day


def _range_start(request: HttpRequest, day: date, people: list[Membership], zone: str) -> date:
    """The first day Find time shows: the chosen date; or, while the chosen date is one of the days already shown
    (a suggestion or a slot was just picked), the same first day as before, so the range does not jump."""
    shown_from = request.POST.get("find_from") if request.method == "POST" else request.GET.get("find_from")
    try:
        first = date.fromisoformat(shown_from or "")
    except ValueError:
        return day
    if first == day or not is_plausible_day(first) or not first < day <= first + timedelta(days=LOOKAHEAD):
        return day
    return first if day in range_days(first, people, zone) else day


def _grid_context(request: HttpRequest, form: ScheduleForm, *, exclude=None, slot_submit: bool = False) -> dict:
    """Find time for what the form holds so far (a half-filled form still gets a grid): several days, the suggested
    times and the conflicts of the proposed time, all from one read of everyone's calendars.

    `slot_submit`: the suggestions and start buttons also work without JavaScript (step 1 reads `use_slot`)."""
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    if form.is_bound and form.errors.get("date"):  # a refused date gets its reason, not another day's grid
        return {"grid": None, "conflicts": [], "grid_error": form.errors["date"][0]}
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
    people = people_of(organizer, interviewers)
    days = range_days(_range_start(request, day, people, zone), people, zone)
    # One read of everyone's calendars for the days and the proposed time: grid, suggestions and conflicts share it.
    window_start, window_end = grid_window(days, zone, proposed)
    known = availability(viewer=request.membership, people=people, start=window_start, end=window_end,
                         exclude=exclude)
    grid = find_time(viewer=request.membership, organizer=organizer, interviewers=interviewers, days=days,
                     zone_name=zone, now=timezone.now(), proposed=proposed, duration=duration, exclude=exclude,
                     known=known)
    finish_grid(grid, viewer_id=request.membership.pk, submit=slot_submit)
    found = []
    if proposed:
        found = conflicts(viewer=request.membership, organizer=organizer, interviewers=interviewers,
                          start=proposed[0], end=proposed[1], zone_name=zone, exclude=exclude, known=known)
    return {"grid": grid, "conflicts": found, "slot_submit": slot_submit,
            "load": _load_hints(interviewers, day, zone, exclude=exclude)}


def _load_hints(interviewers: list[Membership], day: date, zone_name: str, *, exclude=None) -> list[dict]:
    """Each interviewer's interviews that day and that week (in the event's zone), with their limits: a hint for
    the recruiter, never a refusal."""
    if not interviewers:
        return []
    zone = zone_or_utc(zone_name)
    monday = day - timedelta(days=day.weekday())

    def at(midnight: date) -> datetime:
        return datetime.combine(midnight, datetime.min.time(), tzinfo=zone)

    loads = selectors.interview_loads(interviewers, week=(at(monday), at(monday + timedelta(days=7))),
                                      day=(at(day), at(day + timedelta(days=1))), exclude=exclude)
    hints = []
    for member in interviewers:
        per_day, per_week = loads.get(member.pk, (0, 0))
        day_limit, week_limit = member.max_interviews_per_day, member.max_interviews_per_week
        that_day_words = ngettext("%(num)d interview that day", "%(num)d interviews that day", per_day) % {
            "num": per_day}
        that_week_words = ngettext("%(num)d that week", "%(num)d that week", per_week) % {"num": per_week}
        if day_limit:
            that_day_words = _("%(load)s (limit %(limit)d)") % {"load": that_day_words, "limit": day_limit}
        if week_limit:
            that_week_words = _("%(load)s (limit %(limit)d)") % {"load": that_week_words, "limit": week_limit}
        full = (day_limit and per_day >= day_limit) or (week_limit and per_week >= week_limit)
        text = _("%(name)s: %(day)s, %(week)s") % {"name": member.user.display_name, "day": that_day_words,
                                                   "week": that_week_words}
        hints.append({"text": text, "full": bool(full)})
    return hints


STEP1_FIELDS = list(ScheduleForm.base_fields)
STEP2_FIELDS = list(InviteForm.base_fields)


def _step_urls(company_slug: str, candidate_id: int, key: str) -> tuple[str, str]:
    kwargs = {"company_slug": company_slug, "candidate_id": candidate_id}
    return (f"{reverse('scheduling:schedule', kwargs=kwargs)}?draft={key}",
            f"{reverse('scheduling:schedule-invite', kwargs=kwargs)}?draft={key}")


def _use_slot(value: str) -> tuple[date, time | None] | None:
    """A Find time button's value without JavaScript: "2030-06-12T14:00" (a start) or "2030-06-19" (a day)."""
    day, _, at = value.partition("T")
    try:
        return date.fromisoformat(day), (time.fromisoformat(at) if at else None)
    except ValueError:
        return None


def schedule(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """Step 1: what, when, who. A Find time button (a suggestion, a start, "Later days") submitted without
    JavaScript fills in its day and time and shows step 1 again; it never goes on to step 2."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    draft = draft_load(owner=request.membership, candidate=candidate,
                       key=request.POST.get("draft") or request.GET.get("draft"))
    # A draft that was sent already is shown for what it became; this form then starts a new event.
    used = draft if draft is not None and draft.is_used else None
    kwargs = {"candidate": candidate, "organizer": request.membership,
              "initial": initial_for(candidate, request.membership)}
    if request.method == "POST" and "use_slot" in request.POST:
        chosen, data = _use_slot(request.POST["use_slot"]), request.POST.copy()
        if chosen is not None:
            data["date"] = chosen[0].isoformat()
            if chosen[1] is not None:
                data["start_time"], data["end_time"] = f"{chosen[1]:%H:%M}", ""  # the chosen duration stays
        form = ScheduleForm(data, **kwargs)
        form.is_valid()  # the grid, the conflicts and any message for the time now filled in
        if chosen is None:
            form.add_error(None, _("That time could not be used. Pick one of the suggested times or type it in."))
    elif request.method == "POST":
        form = ScheduleForm(request.POST, **kwargs)
        if form.is_valid() and used is None:
            draft = draft_save_step1(owner=request.membership, candidate=candidate, data=request.POST,
                                     fields=STEP1_FIELDS, draft=draft)
            return redirect(_step_urls(company_slug, candidate.pk, draft.key)[1])
    elif draft is not None:
        form = ScheduleForm(as_query_dict(draft.step1), **kwargs)
        form.is_valid()  # shows the grid and warnings for what was entered before
    else:
        form = ScheduleForm(**kwargs)
    return render(request, "scheduling/schedule.html", {
        "candidate": candidate, "form": form, "draft_id": draft.key if draft and not used else "", "step": 1,
        "used_draft": used, **_grid_context(request, form, slot_submit=True),
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
    return render(request, "scheduling/_find_time.html", {
        "candidate": candidate, "form": form,
        # Rescheduling has no reader of `use_slot`: there the buttons work with JavaScript only.
        **_grid_context(request, form, exclude=interview, slot_submit=interview is None),
    })


def _senders(request: HttpRequest) -> dict:
    """Step 2's calendar: the label of the default one, and the choice among several."""
    senders, default = sender_choices(request.membership)
    return {"calendar_label": str(default) if default else None, "senders": senders, "default_sender": default}


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
            rendered = emails.render(emails.Wording(subject, body), emails.recipient_values(plan, audience))
        except (UnknownPlaceholder, RenderedTooLong):
            rendered = None
        language = emails.recipient_language(plan, audience)
        previews[audience] = {"to": to, "zone": emails.zone_label(plan.start, zone), "rendered": rendered,
                              "language": language, "language_name": dict(settings.LANGUAGES).get(language)}
    return previews


def _values_by_audience(plan: Plan) -> dict[str, dict[str, str]]:
    return {audience: emails.recipient_values(plan, audience)
            for audience in ("candidate", "interviewers")}


def _stale_mentions(draft: ScheduleDraft, plan: Plan, form: InviteForm) -> dict[str, list[tuple[str, str]]]:
    """Per audience, what its text still says literally that step 1 has changed since the text was written."""
    now = _values_by_audience(plan)
    found = {}
    for audience, before in draft.written_against.items():
        if audience in now:
            wording = emails.Wording(form[f"{audience}_subject"].value() or "", form[f"{audience}_body"].value() or "")
            found[audience] = emails.stale_mentions(wording, before=before, now=now[audience])
    return found


def _interviewers_language(request: HttpRequest, draft: ScheduleDraft, default: str) -> str:
    """The language chosen for the interviewers' email: as posted; on a GET as asked for
    (?interviewers_language=de) or as the draft keeps it; else `default`, the organizer's own."""
    if request.method == "POST":
        chosen = request.POST.get("interviewers_language")
    else:
        chosen = request.GET.get("interviewers_language") or next(
            iter(draft.step2.get("interviewers_language") or []), "")
    return chosen if chosen in dict(settings.LANGUAGES) else default


def _same_text(wording: emails.Wording) -> tuple[str, str]:
    return wording.subject.strip(), wording.body.replace("\r\n", "\n").strip()


def _follow_language(data: QueryDict, company: Company, chosen: emails.Wording) -> QueryDict:
    """The interviewers' subject and body follow the chosen language while they are one of the company's
    templates word for word (in any language); text the recruiter edited stays as it is."""
    typed = _same_text(emails.Wording(data.get("interviewers_subject") or "", data.get("interviewers_body") or ""))
    if typed == _same_text(chosen):
        return data
    templates = {_same_text(emails.company_wording(company, Audience.INTERVIEWERS, Purpose.INVITATION, code))
                 for code, _name in settings.LANGUAGES}
    if typed not in templates:
        return data
    data = data.copy()
    data["interviewers_subject"], data["interviewers_body"] = chosen.subject, chosen.body
    return data


def _draft_used(request: HttpRequest, candidate, interview) -> HttpResponse:
    return render(request, "scheduling/draft_used.html", {"candidate": candidate, "interview": interview})


def schedule_invite(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    """Step 2: how to invite, and the two emails. Whatever it holds is kept in the draft on every post (and while
    typing), so "Change", a reload or an error never loses it."""
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    draft = draft_load(owner=request.membership, candidate=candidate,
                       key=request.POST.get("draft") or request.GET.get("draft"))
    if draft is None:
        messages.warning(request, _("That scheduling draft has expired. Please start again."))
        return redirect("scheduling:schedule", company_slug=company_slug, candidate_id=candidate.pk)
    if draft.is_used:
        return _draft_used(request, candidate, draft.interview)
    step1_url, here = _step_urls(company_slug, candidate.pk, draft.key)
    step1 = ScheduleForm(as_query_dict(draft.step1), candidate=candidate, organizer=request.membership)
    if not step1.is_valid():
        messages.error(request, _("Something in step 1 needs your attention."))
        return redirect(step1_url)
    plan = step1.plan()
    own_language = member_language(request.membership)
    plan.interviewers_language = _interviewers_language(request, draft, own_language)
    calendars = _senders(request)
    calendar_label = calendars["calendar_label"]
    # The candidate's email in the candidate's language, the interviewers' in the one chosen here (by default the
    # organizer's own; issue 15).
    wordings = {audience: emails.company_wording(request.company, audience, Purpose.INVITATION,
                                                 emails.recipient_language(plan, audience))
                for audience in (Audience.CANDIDATE, Audience.INTERVIEWERS)}
    initial = {f"{audience}_{part}": getattr(wordings[audience], part)
               for audience in ("candidate", "interviewers") for part in ("subject", "body")}
    initial["interviewers_language"] = plan.interviewers_language
    options = {"plan": plan, "initial": initial, **calendars}
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        data = _follow_language(request.POST, request.company, wordings[Audience.INTERVIEWERS])
        form = InviteForm(data, sending=action == "send", **options)
        draft_save_step2(draft=draft, data=data, fields=STEP2_FIELDS,
                         written_against=_values_by_audience(plan))
        if action == "back":
            return redirect(step1_url)
        if action == "save":  # saved while typing (htmx): nothing to show
            return HttpResponse(status=204)
        if action == "send" and form.is_valid():
            data = form.cleaned_data
            sender = form.sender(request.membership)
            if sender is not None and plan.online_meeting:
                # The meeting is made by the calendar that sends: Teams from Outlook, Meet from Google.
                plan.online_meeting = get_provider(sender.provider).meeting_kind
            try:
                interview = services.interview_schedule(
                    plan=plan, connection=sender,
                    candidate_via=services.Channels(email=data["candidate_email"],
                                                    calendar=bool(data["candidate_calendar"])),
                    interviewers_via=services.Channels(email=data["interviewers_email"],
                                                       calendar=bool(data["interviewers_calendar"])),
                    candidate_wording=form.wording("candidate"), interviewers_wording=form.wording("interviewers"),
                    actor=request.user, draft=draft,
                )
            except services.DraftAlreadyUsed as used:
                return _draft_used(request, candidate, used.interview)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("%(title)s is scheduled; the invitations are on their way.")
                                 % {"title": interview.title})
                return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)
    elif draft.step2:
        data = as_query_dict(draft.step2)
        data["interviewers_language"] = plan.interviewers_language
        form = InviteForm(_follow_language(data, request.company, wordings[Audience.INTERVIEWERS]), **options)
    else:
        form = InviteForm(**options)
    edited_interviewers = form.is_bound and any(
        (form.data.get(f"interviewers_{part}") or "").replace("\r\n", "\n") != initial[f"interviewers_{part}"]
        for part in ("subject", "body"))
    return render(request, "scheduling/schedule_invite.html", {
        "candidate": candidate, "form": form, "plan": plan, "draft_id": draft.key, "step": 2,
        "step1_url": step1_url, "here": here, "warnings": step1.warnings,
        "conflicts": conflicts(viewer=request.membership, organizer=request.membership,
                               interviewers=plan.interviewers, start=plan.start, end=plan.end,
                               zone_name=plan.time_zone),
        "previews": _previews(plan, form),
        "placeholders": placeholders_for(),
        "stale": _stale_mentions(draft, plan, form),
        "calendar_label": calendar_label, "open_interviewers": edited_interviewers or bool(
            form.errors.get("interviewers_subject") or form.errors.get("interviewers_body"))
        or action == "language" or plan.interviewers_language != own_language,
        # The page's own summary of the time: in the reader's language, not the emails'.
        "when": emails.values_for(plan, plan.time_zone, language=get_language()),
        # Said before sending: the company's pipeline setting moves the candidate when this is scheduled.
        "stage_change": stage_on_schedule(candidate) if plan.invite_candidate else None,
    })


@require_GET
def interview_detail(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    interview = get_interview_for_member(request.membership, interview_id)
    invite = interview.calendar_invite if hasattr(interview, "calendar_invite") else None
    return render(request, "scheduling/interview_detail.html", {
        "interview": interview, "invite": invite,
        "participants": selectors.participants_with_responses(interview),
        # Only what the mailbox would show this member: an interviewer does not see the candidate's email here.
        "sent": selectors.interview_messages(interview, viewer=request.membership).select_related("sender__user"),
        "history": selectors.interview_history(interview),
        "when": emails.values_for(Plan.of(interview), interview.time_zone, language=get_language()),
        "can_change": request.membership.can_recruit and not interview.is_cancelled,
    })


@require_POST
def calendar_retry(request: HttpRequest, company_slug: str, interview_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    interview = get_interview_for_member(request.membership, interview_id)
    if hasattr(interview, "calendar_invite"):
        services.calendar_invite_retry(interview=interview, actor=request.user)
        messages.info(request, _("Trying the calendar invitation again."))
    return redirect("scheduling:interview-detail", company_slug=company_slug, interview_id=interview.pk)


# The scheduling link goes to candidates only.
@require_GET
def week(request: HttpRequest, company_slug: str) -> HttpResponse:
    """The calendar: a week (or one day, `?view=day`) of the viewer's synced events and interviews, and teammates'
    busy times if asked for. On a phone the week shows one day at a time (static/css/week.css)."""
    zone = zone_or_utc(request.user.time_zone or request.company.time_zone)
    today = datetime.now(zone).date()
    day, date_error = week_page.requested_day(request.GET.get("date"), today)
    by_day = request.GET.get("view") == "day"
    shown_days = week_page.day_of(day, zone) if by_day else week_page.week_of(day, zone)
    teammates = list(
        Membership.objects.filter(company=request.company).exclude(pk=request.membership.pk).select_related("user")
    )
    wanted = parse_ids(request.GET.getlist("with"))
    shown = [request.membership] + [m for m in teammates if m.pk in wanted]

    def interview_url(interview_id: int) -> str:
        return reverse("scheduling:interview-detail", kwargs={"company_slug": company_slug,
                                                               "interview_id": interview_id})

    grid = week_page.week_grid(week=shown_days, shown=shown, viewer=request.membership, zone=zone,
                               interview_url=interview_url)
    # The day a phone shows of the week: the one asked for, else today, else Monday.
    focus = day if day in shown_days.days else (today if today in shown_days.days else shown_days.days[0])
    columns = [
        {"day": column_day, "is_today": column_day == today, "is_focus": column_day == focus,
         "people": [{"member": person, "cells": grid[(person.pk, column_day)]} for person in shown]}
        for column_day in shown_days.days
    ]
    step = timedelta(days=1 if by_day else 7)
    synced = week_page.sync_times(shown)
    with_ids = [("with", member_id) for member_id in wanted]
    return render(request, "scheduling/week.html", {
        "columns": columns, "shown": shown, "teammates": teammates, "wanted": wanted, "zone": zone,
        "connected": set(synced), "synced_at": synced.get(request.membership.pk), "hours": range(24),
        "monday": shown_days.monday, "by_day": by_day, "day": shown_days.days[0] if by_day else day,
        "date_error": date_error, "previous": (shown_days.days[0] if by_day else shown_days.monday) - step,
        "next": (shown_days.days[0] if by_day else shown_days.monday) + step,
        "previous_day": focus - timedelta(days=1), "next_day": focus + timedelta(days=1), "today": today,
        "has_all_day": any(cell["cells"].all_day for column in columns for cell in column["people"]),
        # What the links keep: the teammates shown, and the day view.
        "keep": urlencode(with_ids + ([("view", "day")] if by_day else [])), "keep_with": urlencode(with_ids),
        "day_view_url": "?" + urlencode([("date", day.isoformat()), ("view", "day"), *with_ids]),
    })
