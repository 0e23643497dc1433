from django import forms
from django.utils.translation import gettext_lazy as _

from recruitee.tenancy.models import RESERVED_SLUGS, Company, slug_validator
from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField


class CompanySignupForm(forms.Form):
    """Extra sign-up fields: who you are and the company you are creating. You become its admin."""

    full_name = forms.CharField(max_length=150, label=_("Your name"), validators=[validate_no_line_breaks])
    company_name = forms.CharField(max_length=120, label=_("Company name"), validators=[validate_no_line_breaks])
    company_slug = forms.SlugField(
        max_length=50, min_length=2, label=_("Company web address"), validators=[slug_validator],
        help_text=_("Lowercase letters, digits and hyphens, e.g. “acme”. Your pages live under /acme/."),
    )
    time_zone = TimeZoneField(label=_("Time zone"))

    field_order = ["full_name", "email", "company_name", "company_slug", "time_zone", "password1", "password2"]

    def clean_company_slug(self) -> str:
        slug = self.cleaned_data["company_slug"].lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved. Pick another one."))
        if Company.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("This address is already taken."))
        return slug

    def signup(self, request, user) -> None:
        from recruitee.tenancy.services import company_create

        user.full_name = self.cleaned_data["full_name"]
        user.time_zone = self.cleaned_data["time_zone"]
        user.save(update_fields=["full_name", "time_zone"])
        company_create(
            name=self.cleaned_data["company_name"],
            slug=self.cleaned_data["company_slug"],
            time_zone=self.cleaned_data["time_zone"],
            owner=user,
        )
