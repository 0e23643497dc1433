"""Row-level security on this app's company tables (recruitee/tenancy/rls.py; on PostgreSQL only)."""

from django.db import migrations

from recruitee.tenancy.rls import TenantRowSecurity


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0014_meeting_retry_and_held_wording"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        TenantRowSecurity("scheduling_interview"),
        TenantRowSecurity("scheduling_participant"),
        TenantRowSecurity("scheduling_invitetemplate"),
        TenantRowSecurity("scheduling_calendarinvite"),
        TenantRowSecurity("scheduling_interviewmessage"),
        TenantRowSecurity("scheduling_scheduledraft"),
        TenantRowSecurity("scheduling_schedulingrequest"),
        TenantRowSecurity("scheduling_schedulingrequestmember"),
        TenantRowSecurity("scheduling_remindersettings"),
        TenantRowSecurity("scheduling_reminderdelivery"),
        TenantRowSecurity("scheduling_invitationcalendar"),
    ]
