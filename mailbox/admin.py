"""Read-only outbox for staff, across companies; system mail (no company) is visible only here. Retry is an action.

Admin pages are cross-tenant by nature: each view runs, and renders, across tenants (the explicit path).
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django_scopes import scope

from recruitee.tenancy.db import across_tenants

from .models import Attachment, Message
from .services import message_retry


def _unscoped(view, *args, **kwargs):
    with across_tenants("admin: the outbox of every company"):
        response = view(*args, **kwargs)
        if isinstance(response, TemplateResponse) and not response.is_rendered:
            response.render()  # templates evaluate querysets lazily: still inside the block
        return response


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("kind", "filename", "content_type", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "company", "audience", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "audience")
    search_fields = ("subject", "recipients_search", "message_id")
    date_hierarchy = "created_at"
    list_select_related = ("company",)
    inlines = [AttachmentInline]
    actions = ["retry"]
    exclude = ("text_body", "html_body")
    readonly_fields = [f.name for f in Message._meta.fields if f.name not in ("text_body", "html_body")] + ["body"]

    def changelist_view(self, request, extra_context=None):
        return _unscoped(super().changelist_view, request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return _unscoped(super().changeform_view, request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return _unscoped(super().history_view, request, object_id, extra_context)

    @admin.display(description="Text body")
    def body(self, message: Message) -> str:
        if message.audience == Message.Audience.SYSTEM:
            return "(not shown: account emails carry sign-in and password links)"
        return message.text_body

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.method == "GET" or obj is None  # look, and run actions from the list; never edit

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry the selected failed or stuck messages")
    def retry(self, request, queryset) -> None:
        retried = 0
        for message in queryset:
            if message.company_id is None:
                retried += message_retry(message=message, actor=request.user)
            else:
                with scope(company=message.company_id):
                    retried += message_retry(message=message, actor=request.user)
        self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)
