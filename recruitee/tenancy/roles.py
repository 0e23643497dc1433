"""The three PostgreSQL roles of the tenant wall, made by someone who may create roles (`manage.py database_roles`,
.ci/run, tests/conftest.py); migrations only use them.

    recruitee_owner        LOGIN, owns the database, its tables, views and functions; runs the migrations
                           (DATABASE_OWNER_URL). BYPASSRLS: the policies are forced on the tables, so without it
                           the owner too would be held by them; it may change any table anyway. The application's
                           read-only views (mailbox.models.SentListing) read as the owner and filter by tenant
                           themselves.
    recruitee_app          LOGIN, what the application connects as (DATABASE_URL): reads and writes rows, owns
                           nothing, and the policies hold for it. NOINHERIT: it holds recruitee_crosstenant's policy
                           only once it becomes that role, which recruitee/tenancy/db.py does in across_tenants().
    recruitee_crosstenant  NOLOGIN; its policy admits every row of every tenant table.

None of them is a superuser, and none but the owner may bypass row-level security; that is checked, not assumed.
The owner may also set session_replication_role (PostgreSQL 15 and later grant that on its own): the function through
which the sync inserts a page (calendars migration 0011) switches the foreign key's row-by-row checks off for that
one insert, having checked once what they check.
"""

from __future__ import annotations

from psycopg import sql

from .db import APP_ROLE, CROSSTENANT_ROLE, OWNER_ROLE


def _role(cursor, name: str, *, attributes: str, password: str | None) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    statement = sql.SQL(f"{verb} ROLE {{}} {attributes}").format(sql.Identifier(name))
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    cursor.execute(statement)


def ensure_roles(cursor, *, app_password: str | None = None, owner_password: str | None = None,
                 owner_may_create_databases: bool = False) -> None:
    """Create the roles or bring them up to date (passwords, attributes, memberships). Idempotent; `cursor`
    belongs to a superuser (the owner's BYPASSRLS is a superuser's to give; on a managed server, its administrator
    where it may)."""
    _role(cursor, CROSSTENANT_ROLE, attributes="NOLOGIN NOINHERIT", password=None)
    _role(cursor, OWNER_ROLE, password=owner_password,
          attributes="LOGIN INHERIT BYPASSRLS " + ("CREATEDB" if owner_may_create_databases else "NOCREATEDB"))
    _role(cursor, APP_ROLE, attributes="LOGIN NOINHERIT NOCREATEDB", password=app_password)
    for member in (OWNER_ROLE, APP_ROLE):
        cursor.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(CROSSTENANT_ROLE), sql.Identifier(member)))
    if _parameters_grantable(cursor):
        cursor.execute(sql.SQL("GRANT SET ON PARAMETER session_replication_role TO {}").format(
            sql.Identifier(OWNER_ROLE)))
    cursor.execute(
        "SELECT rolname FROM pg_roles WHERE rolsuper AND rolname IN (%s, %s, %s) "
        "OR rolbypassrls AND rolname IN (%s, %s)",
        [OWNER_ROLE, APP_ROLE, CROSSTENANT_ROLE, APP_ROLE, CROSSTENANT_ROLE],
    )
    if unsafe := [name for (name,) in cursor.fetchall()]:
        raise RuntimeError(f"Roles with too much power: {', '.join(unsafe)}. Take SUPERUSER from them, and "
                           "BYPASSRLS from all but the owner (ALTER ROLE ... NOSUPERUSER NOBYPASSRLS).")


def _parameters_grantable(cursor) -> bool:
    cursor.execute("SELECT current_setting('server_version_num')::int >= 150000")
    return cursor.fetchone()[0]


def roles_ready(cursor) -> bool:
    """Whether the roles exist with what ensure_roles gives them that migrations need (for test and benchmark
    runs, which make the roles only when they are not ready: another run on the server may rely on them as they
    are)."""
    cursor.execute("SELECT count(*) FROM pg_roles WHERE rolname IN (%s, %s, %s)",
                   [OWNER_ROLE, APP_ROLE, CROSSTENANT_ROLE])
    if cursor.fetchone()[0] != 3:
        return False
    if not _parameters_grantable(cursor):
        return True
    cursor.execute("SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [OWNER_ROLE])
    return cursor.fetchone()[0]


def hand_database_to_owner(cursor, database: str) -> None:
    """The owner role owns `database`, may create in its schema, and owns what the schema holds already. `cursor`
    is connected to `database`, as a superuser or the database's present owner."""
    owner = sql.Identifier(OWNER_ROLE)
    cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), owner))
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(owner))
    # Nobody else creates objects in the schema (PostgreSQL before 15 let everyone).
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    _hand_over(cursor)


# relkind -> the ALTER that changes an owner. Sequences that belong to a table's column follow their table.
_ALTER_BY_KIND = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE",
                  "S": "SEQUENCE"}


def _hand_over(cursor) -> None:
    """An older deployment's tables belong to whoever migrated them (often the superuser): they become the owner's,
    so that the migrations can go on as the owner."""
    cursor.execute(
        """
        SELECT c.relkind, c.relname FROM pg_class c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> %s::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype IN ('a', 'i', 'e'))
        ORDER BY c.relname
        """,
        [OWNER_ROLE],
    )
    for kind, name in cursor.fetchall():
        cursor.execute(sql.SQL(f"ALTER {_ALTER_BY_KIND[kind]} {{}} OWNER TO {{}}").format(
            sql.Identifier(name), sql.Identifier(OWNER_ROLE)))
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> %s::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
        """,
        [OWNER_ROLE],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature),
                                                                        sql.Identifier(OWNER_ROLE)))
