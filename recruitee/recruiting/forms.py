from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recruitee.tenancy.models import Company
from recruitee.zones import TimeZoneField

from .models import Candidate, Job


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ["title", "department", "location", "status"]


class CandidateForm(forms.ModelForm):
    time_zone = TimeZoneField(label=_("Time zone"),
                              help_text=_("Interview times in emails to this candidate are shown in this zone."))
    # The real choices are set per company in __init__; a class-level query would run outside any tenant scope.
    job = forms.ModelChoiceField(label=_("Job"), queryset=Job.objects.none(), required=False,
                                 empty_label=_("No job"))
    # Blank follows the company's default (named in the first option, set in __init__), also when it changes later.
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES,
                                 help_text=_("Emails and invitations to this candidate are written in it."))

    class Meta:
        model = Candidate
        fields = ["full_name", "email", "phone", "time_zone", "language", "job", "stage", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this company's jobs can be picked; another company's job id is "not one of the choices".
        self.fields["job"].queryset = Job.objects.filter(company=company)
        if not self.instance.pk:
            self.fields["time_zone"].initial = company.time_zone
        default = dict(settings.LANGUAGES).get(company.default_language, company.default_language)
        language = self.fields["language"]
        language.choices = [("", gettext("Company default (%(language)s)") % {"language": default}),
                            *settings.LANGUAGES]
        # Blank is an answer here (the company's default), not a missing one: not "(optional)", no placeholder.
        language.empty_values = [None]
        language.widget.use_required_attribute = lambda initial: False

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+-() ./")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError(_("Enter a phone number with digits, spaces and + - ( ) only."))
        return phone

    def clean_language(self) -> str:
        # A form posted without the field (an older page) keeps the language as it is.
        if self.fields["language"].widget.value_omitted_from_data(self.data, self.files, self.add_prefix("language")):
            return self.instance.language
        return self.cleaned_data["language"]


class PipelineMoveForm(forms.Form):
    """A card's "Move to" form on the pipeline board; a drag and drop fills in and sends the same form."""

    stage = forms.ChoiceField(choices=Candidate.Stage.choices, error_messages={
        "required": _("Pick a stage to move to."),
        "invalid_choice": _("Pick one of the listed stages."),
    })
