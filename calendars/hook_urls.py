from django.urls import path

from . import hooks

app_name = "calendar_hooks"

urlpatterns = [
    path("google/", hooks.google, name="google"),
    path("microsoft/", hooks.microsoft, name="microsoft"),
]
