"""Row-level security on PostgreSQL, as migrations create it (see recruitee/tenancy/db.py for how it is used).

Every table with a company column gets, from its app's migrations:

    TenantRowSecurity("recruiting_candidate")

which enables and forces row-level security (forced: the policies hold even for a table's owner, unless the role
may bypass them, as the owner role of recruitee/tenancy/roles.py may) and adds two
policies: `tenant_rows`, for every role, admits rows whose company is in the session's `app.company_ids`, for reading
and for writing; `crosstenant_rows` admits every row to the cross-tenant role. Rows of no company (system mail)
are admitted, with `system_rows=True`, only while no company is set. A table whose tenant comes through a parent
gets a company column of its own rather than a policy that looks at the parent: one cheap comparison per row, and
the same rule everywhere (tests/tenancy/test_row_level_security.py fails for a company table without the policies).

On other databases (SQLite for `make run`) the operation does nothing.
"""

from __future__ import annotations

from django.db.migrations.operations.base import Operation

from .db import APP_ROLE, COMPANY_IDS_SETTING, CROSSTENANT_ROLE, MEMBER_COMPANIES_FUNCTION

TENANT_POLICY = "tenant_rows"
CROSSTENANT_POLICY = "crosstenant_rows"

# The session's companies as an array. A scalar subquery, so PostgreSQL evaluates it once per statement (an
# InitPlan) instead of once per row; unset or empty is NULL, which matches no row.
TENANT_IDS = f"(SELECT string_to_array(nullif(current_setting('{COMPANY_IDS_SETTING}', true), ''), ',')::bigint[])"
# The first of them (the only one, nearly always), NULL when none is set.
FIRST_TENANT_ID = f"(SELECT split_part(nullif(current_setting('{COMPANY_IDS_SETTING}', true), ''), ',', 1)::bigint)"
NO_TENANT_SET = f"(SELECT coalesce(current_setting('{COMPANY_IDS_SETTING}', true), '') = '')"


def tenant_predicate(*, system_rows: bool = False) -> str:
    """Alone, `company_id = ANY (...)` joins the index conditions of a query that reads by company (free). With the
    rows of no company beside it, the OR makes it a filter checked row by row, where comparing with the first id
    before searching the array took two thirds of its cost off (measured: a count of 5,000 of a company's
    messages, +0.52 ms over no policy with the array alone, +0.18 ms first id first)."""
    predicate = f"company_id = ANY ({TENANT_IDS}::bigint[])"
    if system_rows:
        predicate = (f"company_id = {FIRST_TENANT_ID} OR {predicate} "
                     f"OR (company_id IS NULL AND {NO_TENANT_SET})")
    return predicate


def enable_sql(table: str, *, system_rows: bool = False) -> list[str]:
    predicate = tenant_predicate(system_rows=system_rows)
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'CREATE POLICY {TENANT_POLICY} ON "{table}" USING ({predicate}) WITH CHECK ({predicate})',
        f'CREATE POLICY {CROSSTENANT_POLICY} ON "{table}" TO {CROSSTENANT_ROLE} USING (true) WITH CHECK (true)',
    ]


def refresh_sql(table: str, *, system_rows: bool = False) -> list[str]:
    predicate = tenant_predicate(system_rows=system_rows)
    return [f'ALTER POLICY {TENANT_POLICY} ON "{table}" USING ({predicate}) WITH CHECK ({predicate})']


def disable_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {CROSSTENANT_POLICY} ON "{table}"',
        f'DROP POLICY IF EXISTS {TENANT_POLICY} ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class TenantRowSecurity(Operation):
    """Puts one tenant table behind the wall (PostgreSQL only); reversed, takes it out again."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, *, system_rows: bool = False):
        self.table = table
        self.system_rows = system_rows

    def deconstruct(self):
        kwargs = {"system_rows": True} if self.system_rows else {}
        return self.__class__.__qualname__, [self.table], kwargs

    def state_forwards(self, app_label, state):
        pass  # no model changes: the policies live in the database only

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in enable_sql(self.table, system_rows=self.system_rows):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in disable_sql(self.table):
                schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Row-level security on {self.table}"

    @property
    def migration_name_fragment(self) -> str:
        return f"row_security_{self.table}"


class TenantPolicyRefresh(TenantRowSecurity):
    """Brings a tenant table's policy to the predicate tenant_predicate() writes now (PostgreSQL only): for a
    change of how the same rule is written, which admits the same rows. Reversed, it leaves the policy as it is."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in refresh_sql(self.table, system_rows=self.system_rows):
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self) -> str:
        return f"The tenant policy on {self.table}, as written now"

    @property
    def migration_name_fragment(self) -> str:
        return f"tenant_policy_{self.table}"


class TenantListingView(Operation):
    """A read-only view of some columns of a tenant table, holding the rows of the session's companies: what a
    search reads so that its LIKE conditions reach the trigram indexes (mailbox.models.SentListing says why).

    The view reads the table as its owner, whom the policies do not hold, and applies the tenant condition itself;
    the application's roles may only SELECT from it. On SQLite (`make run`), with no wall in the database, it is a
    plain view of the table and django-scopes alone keeps tenants apart, as everywhere there."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, view: str, table: str, columns: list[str]):
        self.view = view
        self.table = table
        self.columns = columns

    def deconstruct(self):
        return self.__class__.__qualname__, [self.view, self.table, self.columns], {}

    def state_forwards(self, app_label, state):
        pass  # the view's model is an unmanaged CreateModel of its own

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        select = f'SELECT {", ".join(self.columns)} FROM "{self.table}"'  # noqa: S608 -- names from migrations
        if schema_editor.connection.vendor != "postgresql":
            schema_editor.execute(f'CREATE VIEW "{self.view}" AS {select}')
            return
        # CHECK OPTION: were the view ever granted a write, it could not write another tenant's row either.
        schema_editor.execute(f'CREATE VIEW "{self.view}" AS {select} WHERE {tenant_predicate()} '
                              "WITH CASCADED CHECK OPTION")
        # The owner's default privileges would let the application write through it.
        roles = f"{APP_ROLE}, {CROSSTENANT_ROLE}"
        schema_editor.execute(f'REVOKE ALL ON "{self.view}" FROM {roles}')
        schema_editor.execute(f'GRANT SELECT ON "{self.view}" TO {roles}')

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        schema_editor.execute(f'DROP VIEW IF EXISTS "{self.view}"')

    def describe(self) -> str:
        return f"Read-only listing view {self.view} of {self.table}, the session's companies only"

    @property
    def migration_name_fragment(self) -> str:
        return self.view


def grants_sql() -> list[str]:
    """The application and the cross-tenant role read and write rows of every table, those to come included
    (default privileges of the role that runs the migrations, the owner); neither may change the schema, nor
    TRUNCATE (which row-level security does not restrict)."""
    roles = f"{APP_ROLE}, {CROSSTENANT_ROLE}"
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {roles}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {roles}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {roles}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {roles}",
    ]


def revoke_sql() -> list[str]:
    roles = f"{APP_ROLE}, {CROSSTENANT_ROLE}"
    return [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM {roles}",  # noqa: S608
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {roles}",
        f"REVOKE USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public FROM {roles}",  # noqa: S608
        f"REVOKE SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public FROM {roles}",
    ]


class MissingRoles(RuntimeError):
    pass


def check_roles(connection) -> None:
    """The migrations name the application's and the cross-tenant role; creating roles is not theirs to do."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [APP_ROLE, CROSSTENANT_ROLE])
        found = {name for (name,) in cursor.fetchall()}
    missing = sorted({APP_ROLE, CROSSTENANT_ROLE} - found)
    if missing:
        raise MissingRoles(
            f"The database roles {', '.join(missing)} do not exist. Create them first, as a role that may create "
            "roles: `DATABASE_ADMIN_URL=postgres://postgres@host/db python manage.py database_roles` (README.md, "
            "Production)."
        )


class TenantRoleGrants(Operation):
    """What the application's and the cross-tenant role may do with the tables (PostgreSQL only)."""

    reversible = True
    reduces_to_sql = True

    def deconstruct(self):
        return self.__class__.__qualname__, [], {}

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            check_roles(schema_editor.connection)
            for statement in grants_sql():
                schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            for statement in revoke_sql():
                schema_editor.execute(statement)

    def describe(self) -> str:
        return f"Grants to {APP_ROLE} and {CROSSTENANT_ROLE}"


# The one question about memberships asked across companies, at every page of a signed-in person: which companies
# are theirs (the company menu, the home page). A function that runs as its owner answers it with company ids only.
MEMBER_COMPANIES_SQL = [
    f"CREATE OR REPLACE FUNCTION {MEMBER_COMPANIES_FUNCTION}(p_user_id bigint) RETURNS SETOF bigint "  # noqa: S608
    "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp "
    "AS $$ SELECT company_id FROM public.tenancy_membership WHERE user_id = p_user_id $$",
    f"REVOKE ALL ON FUNCTION {MEMBER_COMPANIES_FUNCTION}(bigint) FROM PUBLIC",
    f"GRANT EXECUTE ON FUNCTION {MEMBER_COMPANIES_FUNCTION}(bigint) TO {APP_ROLE}, {CROSSTENANT_ROLE}",
]
MEMBER_COMPANIES_DROP_SQL = f"DROP FUNCTION IF EXISTS {MEMBER_COMPANIES_FUNCTION}(bigint)"
