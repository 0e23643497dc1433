"""The candidate's pages of a scheduling link, at /book/<token>/ (no company in the address, no login)."""

from django.urls import path

from . import booking_views as views

app_name = "booking"

urlpatterns = [
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/confirm/", views.confirm, name="confirm"),
    path("<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("<str:token>/reschedule/confirm/", views.reschedule_confirm, name="reschedule-confirm"),
    path("<str:token>/cancel/", views.cancel, name="cancel"),
    path("<str:token>/invite.ics", views.invite_ics, name="invite-ics"),
]
