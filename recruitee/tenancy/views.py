from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services
from .access import get_invitation_for_member, get_membership_for_member, require_admin
from .forms import (
    AcceptInvitationForm,
    CompanyForm,
    CompanySettingsForm,
    InvitationForm,
    LoadLimitsForm,
    RoleForm,
    WorkingHoursForm,
)
from .middleware import company_public
from .models import Invitation, Membership, Role
from .removal import removal_consequences
from .selectors import audit_log_page, member_companies


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where signing in lands (LOGIN_REDIRECT_URL): the home page of the member's first company."""
    company = member_companies(request.user).first()
    if company is None:
        return redirect("company-create")
    return redirect("company-home", company_slug=company.slug)


@login_required
def company_create(request: HttpRequest) -> HttpResponse:
    form = CompanyForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            company = services.company_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(company)s is ready. Invite your team next.") % {"company": company.name})
            return redirect("tenancy:team", company_slug=company.slug)
    return render(request, "tenancy/company_create.html", {"form": form})


def _team_page(request: HttpRequest, invite_form: InvitationForm, *, status: int = 200) -> HttpResponse:
    members = list(Membership.objects.filter(company=request.company).select_related("user"))
    invitations = Invitation.objects.filter(
        company=request.company, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")
    return render(request, "tenancy/team.html", {
        "members": members,
        "invitations": invitations,
        "invite_form": invite_form,
        "admin_count": sum(1 for m in members if m.is_admin),
        "roles": Role.choices,
    }, status=status)


@require_GET
def team(request: HttpRequest, company_slug: str) -> HttpResponse:
    return _team_page(request, InvitationForm())


@require_POST
def invitation_create(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                company=request.company, invited_by=request.user, site_url=settings.SITE_URL, **form.cleaned_data
            )
        except services.TeamError as error:
            form.add_error("email", str(error))
        except ValidationError as error:  # a sending limit: the form keeps what was typed
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("tenancy:team", company_slug=company_slug)
    return _team_page(request, form, status=400)


@require_POST
def invitation_resend(request: HttpRequest, company_slug: str, invitation_id: int) -> HttpResponse:
    require_admin(request.membership)
    invitation = get_invitation_for_member(request.membership, invitation_id)
    try:
        services.invitation_resend(invitation=invitation, actor=request.user, site_url=settings.SITE_URL)
    except services.TeamError as error:
        messages.error(request, str(error))
    except ValidationError as error:  # a sending limit
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("A new invitation link was sent to %(email)s.") % {"email": invitation.email})
    return redirect("tenancy:team", company_slug=company_slug)


@require_POST
def invitation_revoke(request: HttpRequest, company_slug: str, invitation_id: int) -> HttpResponse:
    require_admin(request.membership)
    invitation = get_invitation_for_member(request.membership, invitation_id)
    services.invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, _("The invitation for %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect("tenancy:team", company_slug=company_slug)


@require_POST
def membership_role(request: HttpRequest, company_slug: str, membership_id: int) -> HttpResponse:
    require_admin(request.membership)
    membership = get_membership_for_member(request.membership, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick one of the listed roles."))
    else:
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        except services.TeamError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(member)s is now %(role)s.")
                             % {"member": membership.user, "role": membership.get_role_display()})
    return redirect("tenancy:team", company_slug=company_slug)


def membership_remove(request: HttpRequest, company_slug: str, membership_id: int) -> HttpResponse:
    require_admin(request.membership)
    membership = get_membership_for_member(request.membership, membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user)
        except services.TeamError as error:
            messages.error(request, str(error))
            return redirect("tenancy:team", company_slug=company_slug)
        messages.success(request, _("%(member)s was removed from the team.") % {"member": membership.user})
        if membership.user_id == request.user.pk:
            return redirect("home")
        return redirect("tenancy:team", company_slug=company_slug)
    return render(request, "tenancy/membership_remove.html", {
        "target": membership, "consequences": removal_consequences(membership),
    })


@company_public
def invitation_accept(request: HttpRequest, company_slug: str, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(company=request.company, token=token)
    if invitation is None:
        raise Http404  # the same answer as for a company that does not exist
    context = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=user)
            except services.TeamError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Welcome to %(company)s!") % {"company": invitation.company.name})
                return redirect("company-home", company_slug=company_slug)
        return render(request, "tenancy/invitation_accept.html", context)

    if services.User.objects.filter(email__iexact=invitation.email).exists():
        # An existing account signs in first and comes back here.
        return render(request, "tenancy/invitation_accept.html", {**context, "needs_login": True})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            new_user = services.user_create_for_invitation(
                invitation=invitation, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
            services.invitation_accept(invitation=invitation, user=new_user)
        except services.TeamError as error:
            form.add_error(None, str(error))
        else:
            login(request, new_user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(request, _("Welcome to %(company)s!") % {"company": invitation.company.name})
            return redirect("company-home", company_slug=company_slug)
    return render(request, "tenancy/invitation_accept.html", {**context, "form": form})


def company_settings(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    form = CompanySettingsForm(request.POST or None, instance=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            services.company_update(company=request.company, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("tenancy:settings", company_slug=company_slug)
    return render(request, "tenancy/settings.html", {"form": form}, status=400 if form.errors else 200)


def _add_service_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, next to the field it names where there is one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _limits_initial(membership: Membership) -> dict:
    return {"max_interviews_per_day": membership.max_interviews_per_day,
            "max_interviews_per_week": membership.max_interviews_per_week}


def _limits_of(data: dict) -> services.LoadLimits:
    return services.LoadLimits(per_day=data.get("max_interviews_per_day"),
                               per_week=data.get("max_interviews_per_week"))


def working_hours(request: HttpRequest, company_slug: str) -> HttpResponse:
    """The signed-in member's own working days and hours for this company (any role), and their interview limits."""
    membership = request.membership
    initial = {"working_days": sorted(membership.working_weekdays), "work_start": membership.work_start,
               "work_end": membership.work_end, **_limits_initial(membership)}
    form = WorkingHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.membership_set_working_hours(
                membership=membership, actor=request.user, working_days=data["working_days"],
                work_start=data["work_start"], work_end=data["work_end"], load_limits=_limits_of(data))
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Working hours saved."))
            return redirect("tenancy:working-hours", company_slug=company_slug)
    zone = request.user.time_zone or request.company.time_zone
    return render(request, "tenancy/working_hours.html", {"form": form, "zone": zone},
                  status=400 if form.errors else 200)


def membership_limits(request: HttpRequest, company_slug: str, membership_id: int) -> HttpResponse:
    """An admin sets a member's interview limits (the member can also set them on their working-hours page)."""
    require_admin(request.membership)
    member = get_membership_for_member(request.membership, membership_id)
    form = LoadLimitsForm(request.POST or None, initial=_limits_initial(member))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_load_limits(membership=member, actor=request.user,
                                                limits=_limits_of(form.cleaned_data))
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(request, _("Interview limits of %(member)s saved.") % {"member": member.user.display_name})
            return redirect("tenancy:team", company_slug=company_slug)
    return render(request, "tenancy/membership_limits.html", {"form": form, "target": member},
                  status=400 if form.errors else 200)


@require_GET
def audit_log(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    page = audit_log_page(request.company, request.GET.get("page"))
    return render(request, "tenancy/audit_log.html", {"page": page})
