"""Row-level security on this app's company tables (recruitee/tenancy/rls.py; on PostgreSQL only)."""

from django.db import migrations

from recruitee.tenancy.rls import TenantRowSecurity


class Migration(migrations.Migration):

    dependencies = [
        ("ops", "0001_initial"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        TenantRowSecurity("ops_workerping"),
    ]
