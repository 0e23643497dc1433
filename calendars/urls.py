from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("calendars/", views.index, name="index"),
    path("calendars/connect/<str:provider>/", views.connect, name="connect"),
    path("calendars/<int:connection_id>/selection/", views.calendars_select, name="selection"),
    path("calendars/<int:connection_id>/disconnect/", views.disconnect, name="disconnect"),
    path("calendars/<int:connection_id>/sync/", views.sync_now, name="sync"),
    path("calendars/<int:connection_id>/sync/status/", views.sync_status, name="sync-status"),
    path("settings/calendars/", views.admin_connections, name="admin"),
    path("settings/calendars/remind/<int:membership_id>/", views.connect_reminder, name="connect-reminder-send"),
]
