from django import forms

from recruitee.tenancy.models import Company
from recruitee.zones import TimeZoneField

from .models import Candidate, Job


class JobForm(forms.ModelForm):
    class Meta:
        model = Job
        fields = ["title", "department", "location", "status"]


class CandidateForm(forms.ModelForm):
    time_zone = TimeZoneField(help_text="Interview times in emails to this candidate are shown in this zone.")
    # The real choices are set per company in __init__; a class-level query would run outside any tenant scope.
    job = forms.ModelChoiceField(queryset=Job.objects.none(), required=False, empty_label="No job")

    class Meta:
        model = Candidate
        fields = ["full_name", "email", "phone", "time_zone", "job", "stage", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this company's jobs can be picked; another company's job id is "not one of the choices".
        self.fields["job"].queryset = Job.objects.filter(company=company)
        if not self.instance.pk:
            self.fields["time_zone"].initial = company.time_zone

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+-() ./")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 5):
            raise forms.ValidationError("Enter a phone number with digits, spaces and + - ( ) only.")
        return phone


class PipelineMoveForm(forms.Form):
    """A card's "Move to" form on the pipeline board; a drag and drop fills in and sends the same form."""

    stage = forms.ChoiceField(choices=Candidate.Stage.choices, error_messages={
        "required": "Pick a stage to move to.",
        "invalid_choice": "Pick one of the listed stages.",
    })
