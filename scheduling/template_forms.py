"""The form of Settings → Invite templates: a subject and a body, with only the placeholders we know."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recruitee.validators import validate_no_line_breaks

from .emails import Wording, unknown_in
from .placeholders import UnknownPlaceholder


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, validators=[validate_no_line_breaks])
    body = forms.CharField(label=gettext_lazy("Message"), max_length=20000,
                           widget=forms.Textarea(attrs={"rows": 16}))

    def clean(self) -> dict:
        data = super().clean()
        for part in ("subject", "body"):
            unknown = unknown_in(Wording(data.get(part, ""), ""))
            if unknown:
                self.add_error(part, _("%(error)s. Use one from the list.") % {"error": UnknownPlaceholder(unknown)})
        if "\n" in data.get("subject", "") or "\r" in data.get("subject", ""):
            self.add_error("subject", _("The subject must be one line."))
        return data
