"""The tenant wall on PostgreSQL (recruitee/tenancy/rls.py): what the application's roles may do with the tables,
row-level security on this app's company tables, and the function that lists a person's companies. Needs the roles
(`manage.py database_roles`) and runs as the tables' owner (DATABASE_OWNER_URL)."""

from django.db import migrations

from recruitee.migration_operations import RunSQLOnPostgreSQL
from recruitee.tenancy.rls import (
    MEMBER_COMPANIES_DROP_SQL,
    MEMBER_COMPANIES_SQL,
    TenantRoleGrants,
    TenantRowSecurity,
)


class Migration(migrations.Migration):

    dependencies = [
        ("tenancy", "0006_company_default_language"),
    ]

    operations = [
        TenantRoleGrants(),
        TenantRowSecurity("tenancy_membership"),
        TenantRowSecurity("tenancy_invitation"),
        TenantRowSecurity("tenancy_auditentry"),
        RunSQLOnPostgreSQL(MEMBER_COMPANIES_SQL, MEMBER_COMPANIES_DROP_SQL),
    ]
