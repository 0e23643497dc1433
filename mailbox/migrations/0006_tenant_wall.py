"""Row-level security on this app's company tables (recruitee/tenancy/rls.py; on PostgreSQL only)."""

from django.db import migrations

from recruitee.tenancy.rls import TenantRowSecurity


class Migration(migrations.Migration):

    dependencies = [
        ("mailbox", "0005_sent_search_trigram_indexes"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        TenantRowSecurity("mailbox_message", system_rows=True),
        TenantRowSecurity("mailbox_attachment", system_rows=True),
    ]
