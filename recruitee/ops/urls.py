from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("settings/system/", views.system_status, name="system-status"),
    path("settings/system/pings/", views.worker_ping_create, name="ping-create"),
    path("settings/system/pings/<int:ping_id>/", views.worker_ping_detail, name="ping-detail"),
]
