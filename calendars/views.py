import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from recruitee.params import parse_ids
from recruitee.tenancy.access import require_admin
from recruitee.tenancy.models import Company, Membership
from recruitee.zones import zone_or_utc

from . import oauth, selectors, services
from .access import get_connection_for_member
from .models import Calendar, CalendarConnection, Provider
from .providers import get_provider
from .providers.base import ProviderError
from .week import AllDayItem, Block, PersonDay, assign_lanes, split_by_day, week_start

logger = logging.getLogger(__name__)


@require_GET
def index(request: HttpRequest, company_slug: str) -> HttpResponse:
    connections = (
        CalendarConnection.objects.filter(company=request.company, member=request.membership)
        .prefetch_related("calendars")
    )
    return render(request, "calendars/index.html", {"connections": connections, "providers": Provider.choices})


@require_GET
def connect(request: HttpRequest, company_slug: str, provider: str) -> HttpResponse:
    if provider not in Provider.values:
        raise Http404
    state = oauth.pending_start(request, provider=provider, company_slug=company_slug,
                                member_id=request.membership.pk)
    try:
        start = get_provider(provider).begin_authorization(state=state, redirect_uri=oauth.redirect_uri(provider))
    except ProviderError as error:
        messages.error(request, str(error))
        return redirect("calendars:index", company_slug=company_slug)
    oauth.pending_attach_flow(request, state, start.flow)
    return redirect(start.url)


def _callback(request: HttpRequest, provider: str) -> HttpResponse:
    params = request.GET.dict()
    try:
        pending = oauth.pending_take(request, state=params.get("state"), provider=provider)
    except oauth.OAuthStateError as error:
        messages.error(request, str(error))
        return redirect("home")
    company = Company.objects.filter(slug=pending["company"]).first()
    if company is None:
        return redirect("home")
    with scope(company=company):
        member = Membership.objects.filter(company=company, pk=pending["member"], user=request.user).first()
        if member is None:
            messages.error(request, "You are no longer a member of this company.")
            return redirect("home")
        adapter = get_provider(provider)
        try:
            grant = adapter.complete_authorization(
                flow=pending["flow"], params=params, redirect_uri=oauth.redirect_uri(provider)
            )
            calendars = adapter.list_calendars(access_token=grant.tokens.access_token)
        except ProviderError as error:
            messages.error(request, f"Your calendar was not connected. {error}")
            return redirect("calendars:index", company_slug=company.slug)
        connection, created = services.connection_store(
            member=member, provider=provider, grant=grant, calendars=calendars
        )
    label = "connected" if created else "reconnected"
    messages.success(request, f"{connection} is {label}. Choose which calendars count as busy time.")
    return redirect("calendars:index", company_slug=company.slug)


@login_required
@require_GET
def callback_google(request: HttpRequest) -> HttpResponse:
    return _callback(request, "google")


@login_required
@require_GET
def callback_microsoft(request: HttpRequest) -> HttpResponse:
    return _callback(request, "microsoft")


@require_POST
def calendars_select(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    if connection.member_id != request.membership.pk:
        raise Http404  # admins manage connections, but busy calendars are the owner's choice
    wanted = parse_ids(request.POST.getlist("calendars"))
    own = set(Calendar.objects.filter(connection=connection, pk__in=wanted).values_list("pk", flat=True))
    services.calendars_select(connection=connection, selected_ids=own)
    messages.success(request, f"Saved which calendars of {connection} count as busy.")
    return redirect("calendars:index", company_slug=company_slug)


def disconnect(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    from_admin = "admin" in (request.GET.get("from"), request.POST.get("from"))
    back = "calendars:admin" if from_admin else "calendars:index"
    if request.method == "POST":
        services.connection_disconnect(connection=connection, actor=request.user)
        messages.success(request, f"{connection} was disconnected and its synced data deleted.")
        return redirect(back, company_slug=company_slug)
    return render(request, "calendars/disconnect.html", {"connection": connection, "from_admin": from_admin})


@require_GET
def admin_connections(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    connections = CalendarConnection.objects.filter(company=request.company).select_related("member__user") \
        .order_by("member__user__full_name", "provider", "account_email")
    return render(request, "calendars/admin.html", {"connections": connections})


def _viewer_zone(request: HttpRequest) -> ZoneInfo:
    return zone_or_utc(request.user.time_zone or request.company.time_zone)


def _requested_day(value: str | None, today: date) -> tuple[date, str]:
    """The day asked for; or today, and why the one asked for is refused."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        return today, "Enter a date like 2027-03-29. Showing this week instead."
    # The week around the day, in any zone, must stay inside what `date` and `datetime` can hold.
    if not date(1, 1, 10) <= day <= date(9999, 12, 20):
        return today, "That date is too far away to show. Showing this week instead."
    return day, ""


@require_GET
def week(request: HttpRequest, company_slug: str) -> HttpResponse:
    zone = _viewer_zone(request)
    today = datetime.now(zone).date()
    day, date_error = _requested_day(request.GET.get("date"), today)
    monday = week_start(day)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    start = datetime.combine(monday, time.min, tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone)

    teammates = list(
        Membership.objects.filter(company=request.company).exclude(pk=request.membership.pk).select_related("user")
    )
    wanted = parse_ids(request.GET.getlist("with"))
    shown = [request.membership] + [m for m in teammates if m.pk in wanted]
    grid = {(person.pk, day): PersonDay() for person in shown for day in days}
    for event in selectors.events_for_members(members=shown, start=start, end=end):
        owner_id = event.calendar.connection.member_id
        own = owner_id == request.membership.pk
        if not own and not event.is_busy:
            continue  # a teammate's free time is not a conflict and not ours to see
        title = event.display_title if own else "Busy"
        if event.all_day:
            for day, _, _ in split_by_day(event.start, event.end, zone):
                if (owner_id, day) in grid:
                    grid[(owner_id, day)].all_day.append(AllDayItem(title=title, own=own, busy=event.is_busy))
            continue
        for day, piece_start, piece_end in split_by_day(event.start, event.end, zone):
            if (owner_id, day) in grid:
                grid[(owner_id, day)].blocks.append(Block(
                    title=title, start=piece_start, end=piece_end, busy=event.is_busy, own=own, source_id=event.pk,
                ))
    # Interviews scheduled here show too, also for people whose calendar is not connected. (Imported here: the
    # calendars app must not need scheduling, which builds on it, to load.)
    from scheduling.week import interviews_into_week

    interviews_into_week(grid=grid, shown=shown, viewer=request.membership, start=start, end=end, zone=zone)
    for person_day in grid.values():
        assign_lanes(person_day.blocks)

    connected = selectors.members_with_calendars(members=shown)
    columns = [
        {"day": day, "is_today": day == today,
         "people": [{"member": person, "cells": grid[(person.pk, day)]} for person in shown]}
        for day in days
    ]
    return render(request, "calendars/week.html", {
        "columns": columns, "shown": shown, "teammates": teammates, "wanted": wanted, "zone": zone,
        "connected": connected, "hours": range(24), "monday": monday, "date_error": date_error,
        "previous_week": monday - timedelta(days=7), "next_week": monday + timedelta(days=7), "today": today,
        "has_all_day": any(cell["cells"].all_day for column in columns for cell in column["people"]),
    })


@require_GET
def sync_status(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    return render(request, "calendars/_sync_status.html", {"connection": connection})


@require_POST
def sync_now(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    if connection.needs_reconnect:
        messages.error(request, f"{connection} needs to be reconnected before it can sync.")
    else:
        services.connection_sync_request(connection=connection, full=request.POST.get("full") == "1")
    if request.htmx:
        connection.refresh_from_db()
        return render(request, "calendars/_sync_status.html", {"connection": connection, "queued": True})
    messages.success(request, f"A sync of {connection} was started.")
    return redirect("calendars:index", company_slug=company_slug)
