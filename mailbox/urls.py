from django.urls import path

from . import catcher_views, views

app_name = "mailbox"

urlpatterns = [
    path("mailbox/sent/", views.sent, name="sent"),
    path("mailbox/messages/<int:message_id>/", views.message_detail, name="message-detail"),
    path("mailbox/messages/<int:message_id>/body/", views.message_body, name="message-body"),
    path("mailbox/messages/<int:message_id>/status/", views.message_status, name="message-status"),
    path("mailbox/messages/<int:message_id>/retry/", views.message_retry_view, name="message-retry"),
    path("mailbox/messages/<int:message_id>/source/", views.message_source, name="message-source"),
    path("mailbox/messages/<int:message_id>/attachments/<int:attachment_id>/", views.attachment_download,
         name="attachment-download"),
    path("mailbox/compose/<int:candidate_id>/", views.compose, name="message-compose"),
    path("mailbox/catcher/", catcher_views.catcher, name="catcher"),
    path("mailbox/catcher/<str:catcher_name>/", catcher_views.catcher_detail, name="catcher-detail"),
    path("mailbox/catcher/<str:catcher_name>/body/", catcher_views.catcher_body, name="catcher-body"),
]
