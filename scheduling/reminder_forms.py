"""The company's reminder settings form: the times before an interview at which each audience is reminded."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReminderOffset


def _offsets_field(label: str, help_text: str) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(label=label, choices=ReminderOffset.choices, coerce=int, required=False,
                                          widget=forms.CheckboxSelectMultiple, help_text=help_text)


class ReminderSettingsForm(forms.Form):
    candidate_offsets = _offsets_field(
        _("Remind candidates"), _("Tick none to send candidates no reminders."))
    interviewer_offsets = _offsets_field(
        _("Remind interviewers"), _("Tick none to send interviewers no reminders."))
