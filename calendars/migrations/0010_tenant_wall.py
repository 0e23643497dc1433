"""Row-level security on this app's company tables (recruitee/tenancy/rls.py; on PostgreSQL only)."""

from django.db import migrations

from recruitee.tenancy.rls import TenantRowSecurity


class Migration(migrations.Migration):

    dependencies = [
        ("calendars", "0009_event_calendar_company_key"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        TenantRowSecurity("calendars_calendarconnection"),
        TenantRowSecurity("calendars_calendar"),
        TenantRowSecurity("calendars_event"),
        TenantRowSecurity("calendars_pushchannel"),
    ]
