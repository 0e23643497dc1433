from django import forms
from django.contrib.auth import get_user_model, password_validation

from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField

from .models import RESERVED_SLUGS, WEEKDAYS, Company, Role


class CompanyForm(forms.ModelForm):
    time_zone = TimeZoneField(help_text="Used for new members and for dates shown to candidates by default.")

    class Meta:
        model = Company
        fields = ["name", "slug", "time_zone"]
        labels = {"name": "Company name", "slug": "Web address"}
        error_messages = {"slug": {"unique": "This address is already taken."}}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError("This address is reserved. Pick another one.")
        return slug


class CompanySettingsForm(forms.ModelForm):
    time_zone = TimeZoneField()

    class Meta:
        model = Company
        fields = ["name", "time_zone"]
        labels = {"name": "Company name"}


class InvitationForm(forms.Form):
    email = forms.EmailField(max_length=254, validators=[validate_no_line_breaks])
    role = forms.ChoiceField(choices=Role.choices, initial=Role.INTERVIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """For people who have no account yet: the invitation fixes the email address."""

    full_name = forms.CharField(max_length=150, label="Your name", validators=[validate_no_line_breaks])
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label="Password (again)", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            user = get_user_model()(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class WorkingHoursForm(forms.Form):
    """When a member works, in their own zone; Find time shades everything else."""

    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label="Working days",
        error_messages={"required": "Pick at least one working day."},
    )
    work_start = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_end = forms.TimeField(label="End", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    def clean(self):
        data = super().clean()
        start, end = data.get("work_start"), data.get("work_end")
        if start is not None and end is not None and end <= start:
            self.add_error("work_end", "The end must be later than the start (working hours within one day).")
        return data
