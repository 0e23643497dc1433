from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/invitations/", views.invitation_create, name="invitation-create"),
    path("team/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation-resend"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("team/members/<int:membership_id>/role/", views.membership_role, name="membership-role"),
    path("team/members/<int:membership_id>/limits/", views.membership_limits, name="membership-limits"),
    path("team/members/<int:membership_id>/remove/", views.membership_remove, name="membership-remove"),
    path("join/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("my-hours/", views.working_hours, name="working-hours"),
    path("settings/", views.company_settings, name="settings"),
    path("settings/audit/", views.audit_log, name="audit-log"),
]
