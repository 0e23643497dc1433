"""Migration operations that run on PostgreSQL only: SQLite (`make run`) has no pg_trgm, and scanning is fine at
its size."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class OnPostgreSQL:
    """Mixed into an operation: it runs on PostgreSQL and does nothing elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class CreateTrigramExtension(OnPostgreSQL, TrigramExtension):
    pass


class RunSQLOnPostgreSQL(OnPostgreSQL, migrations.RunSQL):
    pass


def trigram_index(name: str, table: str, expression: str) -> RunSQLOnPostgreSQL:
    """A GIN trigram index on exactly the SQL a lookup writes (`name__icontains` is `UPPER("name"::text) LIKE
    UPPER('%word%')`, so the expression is `UPPER(name::text)`): it also gives the planner statistics for the
    expression, which is how it tells a word in every row from a rare one.

    New rows wait in a GIN pending list, which every search reads through until a vacuum merges it; 256 kB instead
    of the default 4 MB keeps that read short while bulk inserts stay batched (fastupdate off would make them five
    times slower). Built CONCURRENTLY, so the table keeps taking writes meanwhile: the migration must be
    non-atomic."""
    return RunSQLOnPostgreSQL(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
        f"USING gin (({expression}) gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
        f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
    )
