from django.urls import path

from . import (
    change_views,
    interview_list_views,
    invitation_calendar_views,
    outside_change_views,
    reminder_views,
    request_views,
    template_settings_views,
    views,
)

app_name = "scheduling"

urlpatterns = [
    path("calendar/", views.week, name="week"),
    path("candidates/<int:candidate_id>/schedule/", views.schedule, name="schedule"),
    path("candidates/<int:candidate_id>/schedule/find-time/", views.find_time_view, name="find-time"),
    path("candidates/<int:candidate_id>/schedule/invite/", views.schedule_invite, name="schedule-invite"),
    path("candidates/<int:candidate_id>/self-schedule/", request_views.self_schedule, name="self-schedule"),
    path("scheduling-links/<int:request_id>/withdraw/", request_views.self_schedule_withdraw,
         name="self-schedule-withdraw"),
    path("scheduling-links/<int:request_id>/resend/", request_views.self_schedule_resend,
         name="self-schedule-resend"),
    path("interviews/", interview_list_views.interview_list_view, name="interview-list"),
    path("interviews/<int:interview_id>/", views.interview_detail, name="interview-detail"),
    path("interviews/<int:interview_id>/reschedule/", change_views.interview_reschedule,
         name="interview-reschedule"),
    path("interviews/<int:interview_id>/reschedule/preview/", change_views.reschedule_preview,
         name="interview-reschedule-preview"),
    path("interviews/<int:interview_id>/cancel/", change_views.interview_cancel, name="interview-cancel"),
    path("interviews/<int:interview_id>/cancel/preview/", change_views.cancel_preview,
         name="interview-cancel-preview"),
    path("interviews/<int:interview_id>/calendar/retry/", views.calendar_retry, name="calendar-retry"),
    path("interviews/<int:interview_id>/calendar-change/apply/", outside_change_views.apply,
         name="outside-change-apply"),
    path("interviews/<int:interview_id>/calendar-change/restore/", outside_change_views.restore,
         name="outside-change-restore"),
    path("interviews/<int:interview_id>/calendar-change/cancel/", outside_change_views.cancel,
         name="outside-change-cancel"),
    path("interviews/<int:interview_id>/calendar-change/recreate/", outside_change_views.recreate,
         name="outside-change-recreate"),
    # On the member's calendar page (calendars/index.html): which connected calendar sends their invitations.
    path("calendars/<int:connection_id>/invitations/", invitation_calendar_views.invitation_calendar_use,
         name="invitation-calendar"),
    path("settings/templates/", template_settings_views.template_settings, name="templates"),
    path("settings/reminders/", reminder_views.reminder_settings, name="reminders"),
]
