"""The company's reminder settings page (admins): when candidates and interviewers are reminded of interviews."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from recruitee.tenancy.access import require_admin

from . import reminders
from .reminder_forms import ReminderSettingsForm


def reminder_settings(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    current = reminders.reminder_settings_of(request.company)
    initial = {"candidate_offsets": current.candidate_offsets, "interviewer_offsets": current.interviewer_offsets}
    form = ReminderSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reminders.reminder_settings_save(company=request.company, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Reminder settings saved. They apply to upcoming interviews from now on."))
            return redirect("scheduling:reminders", company_slug=company_slug)
    return render(request, "scheduling/reminders.html", {"form": form, "active": "reminders"},
                  status=400 if form.errors else 200)
