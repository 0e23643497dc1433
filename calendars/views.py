import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from recruitee.params import parse_ids
from recruitee.tenancy.access import get_membership_for_member, require_admin
from recruitee.tenancy.models import Company, Membership

from . import oauth, services
from .access import get_connection_for_member
from .models import Calendar, CalendarConnection, Provider
from .providers import get_provider
from .providers.base import AuthorizationFailed, ProviderError, RateLimited, TemporaryProviderError
from .reminders_to_connect import ReminderRefused, connect_reminder_send, members_calendars

logger = logging.getLogger(__name__)


def _provider_problem(error: ProviderError) -> str:
    """What went wrong with a provider while connecting, in the reader's language, with the provider's own words
    (in English, as the adapter wrote them) as the details."""
    if isinstance(error, TemporaryProviderError | RateLimited):
        reason = _("The calendar provider could not be reached. Please try again.")
    elif isinstance(error, AuthorizationFailed):
        reason = _("The calendar provider did not grant access.")
    else:
        reason = _("The calendar provider refused the request.")
    return _("%(reason)s (details: %(detail)s)") % {"reason": reason, "detail": error}


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
        messages.error(request, _provider_problem(error))
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
            messages.error(request, _("You are no longer a member of this company."))
            return redirect("home")
        adapter = get_provider(provider)
        try:
            grant = adapter.complete_authorization(
                flow=pending["flow"], params=params, redirect_uri=oauth.redirect_uri(provider)
            )
            calendars = adapter.list_calendars(access_token=grant.tokens.access_token)
        except ProviderError as error:
            messages.error(request, _("Your calendar was not connected. %(reason)s")
                           % {"reason": _provider_problem(error)})
            return redirect("calendars:index", company_slug=company.slug)
        connection, created = services.connection_store(
            member=member, provider=provider, grant=grant, calendars=calendars
        )
    if created:
        done = _("%(connection)s is connected. Choose which calendars count as busy time.")
    else:
        done = _("%(connection)s is reconnected. Choose which calendars count as busy time.")
    messages.success(request, done % {"connection": connection})
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
    services.calendars_select(connection=connection, selected_ids=own, actor=request.user)
    messages.success(request, _("Saved which calendars of %(connection)s count as busy.")
                     % {"connection": connection})
    return redirect("calendars:index", company_slug=company_slug)


def disconnect(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    from_admin = "admin" in (request.GET.get("from"), request.POST.get("from"))
    back = "calendars:admin" if from_admin else "calendars:index"
    if request.method == "POST":
        services.connection_disconnect(connection=connection, actor=request.user)
        messages.success(request, _("%(connection)s was disconnected and its synced data deleted.")
                         % {"connection": connection})
        return redirect(back, company_slug=company_slug)
    return render(request, "calendars/disconnect.html", {"connection": connection, "from_admin": from_admin})


@require_GET
def admin_connections(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    members = members_calendars(company=request.company)
    return render(request, "calendars/admin.html", {
        "members": members, "not_connected": sum(1 for entry in members if not entry.connections),
    })


@require_POST
def connect_reminder(request: HttpRequest, company_slug: str, membership_id: int) -> HttpResponse:
    require_admin(request.membership)
    member = get_membership_for_member(request.membership, membership_id)
    try:
        connect_reminder_send(member=member, sender=request.membership)
    except ReminderRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:  # a sending limit
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was reminded by email to connect a calendar.")
                         % {"name": member.user.display_name})
    return redirect("calendars:admin", company_slug=company_slug)


@require_GET
def sync_status(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    return render(request, "calendars/_sync_status.html", {"connection": connection})


@require_POST
def sync_now(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    if connection.needs_reconnect:
        messages.error(request, _("%(connection)s needs to be reconnected before it can sync.")
                       % {"connection": connection})
    else:
        services.connection_sync_request(connection=connection, full=request.POST.get("full") == "1")
    if request.htmx:
        connection.refresh_from_db()
        return render(request, "calendars/_sync_status.html", {"connection": connection, "queued": True})
    messages.success(request, _("A sync of %(connection)s was started.") % {"connection": connection})
    return redirect("calendars:index", company_slug=company_slug)
