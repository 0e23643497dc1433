"""OAuth redirect URIs. They are fixed addresses (registered with the providers), so not company-prefixed."""

from django.urls import path

from . import views

app_name = "calendar_oauth"

urlpatterns = [
    path("google/", views.callback_google, name="callback-google"),
    path("microsoft/", views.callback_microsoft, name="callback-microsoft"),
]
