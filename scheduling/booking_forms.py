"""The two small forms of the candidate's booking pages: the time zone picker and the cancellation."""

from django import forms

from recruitee.zones import TimeZoneField, ZoneSelect


class ZoneForm(forms.Form):
    # GET: the page's own query parameter, so a link with ?tz= and the picker are the same thing.
    tz = TimeZoneField(label="Show times in", widget=ZoneSelect(attrs={"class": "form-select"}))


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Anything you would like to tell us?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. The recruiter sees this with the cancellation.",
    )
