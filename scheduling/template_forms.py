"""The form of Settings → Invite templates: a subject and a body, with only the placeholders we know."""

from __future__ import annotations

from django import forms

from recruitee.validators import validate_no_line_breaks

from .emails import Wording, unknown_in
from .placeholders import UnknownPlaceholder


class TemplateForm(forms.Form):
    subject = forms.CharField(max_length=300, validators=[validate_no_line_breaks])
    body = forms.CharField(label="Message", max_length=20000, widget=forms.Textarea(attrs={"rows": 16}))

    def clean(self) -> dict:
        data = super().clean()
        for part in ("subject", "body"):
            unknown = unknown_in(Wording(data.get(part, ""), ""))
            if unknown:
                self.add_error(part, str(UnknownPlaceholder(unknown)) + ". Use one from the list.")
        if "\n" in data.get("subject", "") or "\r" in data.get("subject", ""):
            self.add_error("subject", "The subject must be one line.")
        return data
