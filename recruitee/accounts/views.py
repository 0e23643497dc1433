from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from recruitee.tenancy.models import Company
from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField

from .models import User


class ProfileForm(forms.ModelForm):
    full_name = forms.CharField(max_length=150, required=False, label="Your name",
                                validators=[validate_no_line_breaks])
    time_zone = TimeZoneField(help_text="Your calendar and interview times are shown in this zone.")

    class Meta:
        model = User
        fields = ["full_name", "time_zone"]
        labels = {"full_name": "Your name"}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    # Working hours are per company (one person may work different days for each), so each has its own page.
    companies = Company.objects.filter(memberships__user=request.user).order_by("name")
    return render(request, "accounts/profile.html", {"form": form, "companies": companies},
                  status=400 if form.errors else 200)
