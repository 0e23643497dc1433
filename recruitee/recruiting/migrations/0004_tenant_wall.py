"""Row-level security on this app's company tables (recruitee/tenancy/rls.py; on PostgreSQL only)."""

from django.db import migrations

from recruitee.tenancy.rls import TenantRowSecurity


class Migration(migrations.Migration):

    dependencies = [
        ("recruiting", "0003_candidate_language"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        TenantRowSecurity("recruiting_job"),
        TenantRowSecurity("recruiting_candidate"),
    ]
