"""Settings → Invite templates: admins edit the company's wording per audience and purpose, with a preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from recruitee.tenancy.access import require_admin

from . import emails, invite_templates
from .models import Audience, InviteTemplate, Purpose
from .placeholders import RenderedTooLong, UnknownPlaceholder, placeholders_for, sample_values
from .template_forms import TemplateForm

TEMPLATE_CHOICES = [(a, p) for a in Audience.values for p in Purpose.values
                    if (a, p) != (Audience.INTERVIEWERS, Purpose.SCHEDULING_LINK)]


def template_settings(request: HttpRequest, company_slug: str) -> HttpResponse:
    """Admins edit the company's wording per audience and purpose; the previews use sample values."""
    require_admin(request.membership)
    audience = request.GET.get("audience") if request.GET.get("audience") in Audience.values else Audience.CANDIDATE
    purpose = request.GET.get("purpose") if request.GET.get("purpose") in Purpose.values else Purpose.INVITATION
    if (audience, purpose) not in TEMPLATE_CHOICES:
        audience = Audience.CANDIDATE
    current = emails.company_wording(request.company, audience, purpose)
    row = InviteTemplate.objects.filter(company=request.company, audience=audience, purpose=purpose).first()
    form = TemplateForm(request.POST or None, initial={"subject": current.subject, "body": current.body})
    if request.method == "POST":
        here = f"{request.path}?audience={audience}&purpose={purpose}"
        if request.POST.get("action") == "reset":
            invite_templates.invite_template_reset(company=request.company, audience=audience, purpose=purpose,
                                                   actor=request.user)
            messages.success(request, "Back to the default wording.")
            return redirect(here)
        if form.is_valid() and request.POST.get("action") == "save":
            invite_templates.invite_template_save(company=request.company, audience=audience, purpose=purpose,
                                                  actor=request.user, **form.cleaned_data)
            messages.success(request,
                             f"Template saved. New {Purpose(purpose).label.lower()} emails use it from now on.")
            return redirect(here)
    shown = emails.Wording(form["subject"].value() or "", form["body"].value() or "")
    preview_error = ""
    try:
        preview = emails.render(shown, sample_values())
    except UnknownPlaceholder:
        preview = None
    except RenderedTooLong as error:
        preview, preview_error = None, str(error)
    customized = set(InviteTemplate.objects.filter(company=request.company).values_list("audience", "purpose"))
    tabs = [{"audience": a, "purpose": p, "label": f"{Audience(a).label}: {Purpose(p).label.lower()}",
             "active": (a, p) == (audience, purpose), "customized": (a, p) in customized}
            for a, p in TEMPLATE_CHOICES]
    return render(request, "scheduling/template_settings.html", {
        "form": form, "preview": preview, "preview_error": preview_error, "tabs": tabs,
        "audience": Audience(audience), "purpose": Purpose(purpose),
        "placeholders": placeholders_for(cancelling=purpose == Purpose.CANCELLATION,
                                         link=purpose == Purpose.SCHEDULING_LINK),
        "is_custom": row is not None, "active": "templates",
    })
