"""The two small forms of the candidate's booking pages: the time zone picker and the cancellation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from recruitee.zones import TimeZoneField, ZoneSelect


class ZoneForm(forms.Form):
    # GET: the page's own query parameter, so a link with ?tz= and the picker are the same thing.
    tz = TimeZoneField(label=_("Show times in"), widget=ZoneSelect(attrs={"class": "form-select"}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you would like to tell us?"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. The recruiter sees this with the cancellation."),
        error_messages={
            "max_length": _("Please write at most %(limit_value)d characters (this has %(show_value)d)."),
        },
    )
