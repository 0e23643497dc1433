"""The tenant policy on the outbox's tables compares a row's company with the session's first company before
searching all of them (recruitee/tenancy/rls.py, tenant_predicate): the same rows, a third of the cost per row."""

from django.db import migrations

from recruitee.tenancy.rls import TenantPolicyRefresh


class Migration(migrations.Migration):

    dependencies = [
        ("mailbox", "0007_sent_listing_view"),
    ]

    operations = [
        TenantPolicyRefresh("mailbox_message", system_rows=True),
        TenantPolicyRefresh("mailbox_attachment", system_rows=True),
    ]
