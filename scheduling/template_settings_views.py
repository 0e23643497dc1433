"""Settings → Invite templates: admins edit the company's wording per language, audience and purpose, with a
preview. The languages are those of settings.LANGUAGES, the company's default first."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from recruitee.tenancy.access import require_admin
from recruitee.tenancy.languages import company_language, speaking
from recruitee.tenancy.models import Company

from . import emails, invite_templates
from .models import Audience, InterviewKind, InviteTemplate, Purpose
from .placeholders import RenderedTooLong, UnknownPlaceholder, placeholders_for, sample_values
from .template_forms import TemplateForm

# A purpose after its audience ("Candidate: invitation", "Kandidat*in: Einladung"): German keeps the noun's capital.
_PURPOSE_AFTER_AUDIENCE = {
    Purpose.INVITATION: pgettext_lazy("invite template after the audience", "invitation"),
    Purpose.UPDATE: pgettext_lazy("invite template after the audience", "update"),
    Purpose.CANCELLATION: pgettext_lazy("invite template after the audience", "cancellation"),
    Purpose.SCHEDULING_LINK: pgettext_lazy("invite template after the audience", "scheduling link"),
    Purpose.REMINDER: pgettext_lazy("invite template after the audience", "reminder"),
}


def _template_name(audience: str, purpose: str) -> str:
    return f"{Audience(audience).label}: {_PURPOSE_AFTER_AUDIENCE[purpose]}"


TEMPLATE_CHOICES = [(a, p) for a in Audience.values for p in Purpose.values
                    if (a, p) != (Audience.INTERVIEWERS, Purpose.SCHEDULING_LINK)]


def _samples(language: str) -> dict[str, str]:
    """The sample values, with the dates, the duration and the type written the way `language` writes them."""
    values = sample_values()
    with speaking(language):
        values.update({
            "event_date": emails.date_words(date(2027, 3, 29)),
            "previous_event_date": emails.date_words(date(2027, 3, 26)),
            "scheduling_deadline": emails.date_words(date(2027, 4, 9)),
            "event_type": str(InterviewKind.VIDEO_CALL.label),
            "event_type_lower": emails.kind_in_sentence(InterviewKind.VIDEO_CALL),
            "event_duration": ngettext("%(count)d hour", "%(count)d hours", 1) % {"count": 1},
        })
    return values


def template_languages(company: Company) -> list[str]:
    """The languages a company writes templates in: every offered language, its default first."""
    default = company_language(company)
    return [default, *(code for code, _name in settings.LANGUAGES if code != default)]


def template_settings(request: HttpRequest, company_slug: str) -> HttpResponse:
    """Admins edit the company's wording per language, audience and purpose; the previews use sample values
    written in the template's language."""
    require_admin(request.membership)
    languages = template_languages(request.company)
    language = request.GET.get("language") if request.GET.get("language") in languages else languages[0]
    audience = request.GET.get("audience") if request.GET.get("audience") in Audience.values else Audience.CANDIDATE
    purpose = request.GET.get("purpose") if request.GET.get("purpose") in Purpose.values else Purpose.INVITATION
    if (audience, purpose) not in TEMPLATE_CHOICES:
        audience = Audience.CANDIDATE
    names = dict(settings.LANGUAGES)
    current = emails.company_wording(request.company, audience, purpose, language)
    row = InviteTemplate.objects.filter(company=request.company, audience=audience, purpose=purpose,
                                        language=language).first()
    form = TemplateForm(request.POST or None, initial={"subject": current.subject, "body": current.body})
    if request.method == "POST":
        here = f"{request.path}?language={language}&audience={audience}&purpose={purpose}"
        if request.POST.get("action") == "reset":
            invite_templates.invite_template_reset(company=request.company, audience=audience, purpose=purpose,
                                                   language=language, actor=request.user)
            messages.success(request, _("Back to the default wording."))
            return redirect(here)
        if form.is_valid() and request.POST.get("action") == "save":
            invite_templates.invite_template_save(company=request.company, audience=audience, purpose=purpose,
                                                  language=language, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Template saved. New emails in %(language)s use it from now on.")
                             % {"language": names[language]})
            return redirect(here)
    shown = emails.Wording(form["subject"].value() or "", form["body"].value() or "")
    preview_error = ""
    try:
        preview = emails.render(shown, _samples(language))
    except UnknownPlaceholder:
        preview = None
    except RenderedTooLong as error:
        preview, preview_error = None, str(error)
    customized = set(InviteTemplate.objects.filter(company=request.company, language=language)
                     .values_list("audience", "purpose"))
    edited_languages = set(InviteTemplate.objects.filter(company=request.company).values_list("language", flat=True))
    language_tabs = [{"code": code, "name": names[code], "active": code == language, "default": i == 0,
                      "customized": code in edited_languages} for i, code in enumerate(languages)]
    tabs = [{"audience": a, "purpose": p, "label": _template_name(a, p),
             "active": (a, p) == (audience, purpose), "customized": (a, p) in customized}
            for a, p in TEMPLATE_CHOICES]
    return render(request, "scheduling/template_settings.html", {
        "form": form, "preview": preview, "preview_error": preview_error, "tabs": tabs,
        "language": language, "language_name": names[language], "language_tabs": language_tabs,
        "audience": Audience(audience), "purpose": Purpose(purpose), "name": _template_name(audience, purpose),
        "placeholders": placeholders_for(cancelling=purpose == Purpose.CANCELLATION,
                                         link=purpose == Purpose.SCHEDULING_LINK),
        "is_custom": row is not None, "active": "templates",
    })
