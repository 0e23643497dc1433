"""The tenant wall on PostgreSQL (recruitee/tenancy/rls.py): what the application's roles may do with the tables,
row-level security on this app's company tables, and the function that lists a person's companies. Needs the roles
(`manage.py database_roles`) and runs as the tables' owner (DATABASE_OWNER_URL)."""

from django.db import migrations

from recruitee.tenancy.rls import (
    MEMBER_COMPANIES_DROP_SQL,
    MEMBER_COMPANIES_SQL,
    TenantRoleGrants,
    TenantRowSecurity,
)


class RunSQLOnPostgreSQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


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
