from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recruitee.tenancy.selectors import member_companies
from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField

from .models import User


class ProfileForm(forms.ModelForm):
    full_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Your name"),
                                validators=[validate_no_line_breaks])
    time_zone = TimeZoneField(label=gettext_lazy("Time zone"),
                              help_text=gettext_lazy("Your calendar and interview times are shown in this zone."))
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("As my browser asks")), *settings.LANGUAGES],
        help_text=gettext_lazy("The language of every page you see here."),
    )

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Blank is an answer here (the browser's language), not a missing one: the field is not "(optional)", and
        # the browser must not treat that option as a placeholder to be replaced.
        self.fields["language"].empty_values = [None]
        self.fields["language"].widget.use_required_attribute = lambda initial: False

    def clean_language(self) -> str:
        # A form posted without the field (an older page) keeps the choice as it is.
        if self.fields["language"].widget.value_omitted_from_data(self.data, self.files, self.add_prefix("language")):
            return self.instance.language
        return self.cleaned_data["language"]


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Say it in the language just chosen: the next page will speak it too.
        translation.activate(user.language or translation.get_language_from_request(request))
        messages.success(request, _("Profile saved."))
        return redirect("profile")
    # Working hours are per company (one person may work different days for each), so each has its own page.
    companies = member_companies(request.user)
    return render(request, "accounts/profile.html", {"form": form, "companies": companies},
                  status=400 if form.errors else 200)
