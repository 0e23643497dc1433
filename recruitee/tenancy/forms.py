from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField

from .models import RESERVED_SLUGS, WEEKDAYS, Company, Role


class CompanyForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"),
                              help_text=_("Used for new members and for dates shown to candidates by default."))

    class Meta:
        model = Company
        fields = ["name", "slug", "time_zone"]
        labels = {"name": _("Company name"), "slug": _("Web address")}
        error_messages = {"slug": {"unique": _("This address is already taken.")}}

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved. Pick another one."))
        return slug


class CompanySettingsForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"))

    class Meta:
        model = Company
        fields = ["name", "time_zone", "default_language", "candidate_change_cutoff_hours",
                  "candidate_max_reschedules", "stage_on_schedule"]
        labels = {
            "name": _("Company name"),
            "default_language": _("Default language"),
            "candidate_change_cutoff_hours": _("Candidates can change a booking until (hours before it)"),
            "candidate_max_reschedules": _("Reschedules a candidate can make"),
            "stage_on_schedule": _("When an interview is scheduled, move the candidate to stage"),
        }
        help_texts = {
            "default_language": _("The language of candidates for whom no other is set: their invitations are "
                                  "written in it. Each member chooses the language of their own pages on their "
                                  "profile."),
            "candidate_change_cutoff_hours": _("For interviews booked through a scheduling link: until this many "
                                               "hours before the interview the candidate can reschedule or cancel "
                                               "it. Empty: 24."),
            "candidate_max_reschedules": _("How often a candidate can move an interview they booked. Empty: 2."),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Empty means the default: the form worked without these fields before, and a blank box is no value.
        for name in ("candidate_change_cutoff_hours", "candidate_max_reschedules"):
            self.fields[name].required = False
        # "" is a real choice here ("don't move"), not a missing answer: the field is not "(optional)", and the
        # browser must not treat that option as a placeholder to be replaced (which `required` would ask of it).
        stage = self.fields["stage_on_schedule"]
        stage.required, stage.empty_values = True, [None]
        stage.widget.use_required_attribute = lambda initial: False
        # A form posted without the language (an older page) keeps it as it is.
        language = self.add_prefix("default_language")
        if self.is_bound and language not in self.data:
            self.data = self.data.copy()
            self.data[language] = self.instance.default_language

    def _or_default(self, name: str) -> int:
        value = self.cleaned_data.get(name)
        return Company._meta.get_field(name).get_default() if value is None else value

    def clean_candidate_change_cutoff_hours(self) -> int:
        return self._or_default("candidate_change_cutoff_hours")

    def clean_candidate_max_reschedules(self) -> int:
        return self._or_default("candidate_max_reschedules")

    def clean_stage_on_schedule(self) -> str:
        # "" is a choice here ("don't move"), so a form posted without the field keeps the setting as it is.
        field = self.fields["stage_on_schedule"]
        if field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix("stage_on_schedule")):
            return self.initial.get("stage_on_schedule", Company._meta.get_field("stage_on_schedule").get_default())
        return self.cleaned_data["stage_on_schedule"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, validators=[validate_no_line_breaks])
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.INTERVIEWER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """For people who have no account yet: the invitation fixes the email address."""

    full_name = forms.CharField(max_length=150, label=_("Your name"), validators=[validate_no_line_breaks])
    password1 = forms.CharField(label=_("Password"),
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = get_user_model()(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class LoadLimitsForm(forms.Form):
    """How many interviews a member takes at most; empty is no limit. Self-scheduling does not offer a member at
    their limit; the wizard only mentions it."""

    max_interviews_per_day = forms.IntegerField(
        label=_("Max interviews per day"), required=False, min_value=1, max_value=24,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}), help_text=_("Leave empty for no limit."),
    )
    max_interviews_per_week = forms.IntegerField(
        label=_("Max interviews per week"), required=False, min_value=1, max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}), help_text=_("Leave empty for no limit."),
    )

    def clean(self):
        data = super().clean()
        per_day, per_week = data.get("max_interviews_per_day"), data.get("max_interviews_per_week")
        if per_day is not None and per_week is not None and per_week < per_day:
            self.add_error("max_interviews_per_week", _("The weekly limit cannot be lower than the daily one."))
        return data


class WorkingHoursForm(LoadLimitsForm):
    """When a member works, in their own zone; Find time shades everything else. With their interview limits."""

    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple, label=_("Working days"),
        error_messages={"required": _("Pick at least one working day.")},
    )
    work_start = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    work_end = forms.TimeField(label=_("End"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    field_order = ["working_days", "work_start", "work_end", "max_interviews_per_day", "max_interviews_per_week"]

    def clean(self):
        data = super().clean()
        start, end = data.get("work_start"), data.get("work_end")
        if start is not None and end is not None and end <= start:
            self.add_error("work_end", _("The end must be later than the start (working hours within one day)."))
        return data
