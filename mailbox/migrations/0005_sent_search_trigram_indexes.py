from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class OnPostgreSQL:
    """Runs an operation on PostgreSQL only: SQLite (`make run`) has no pg_trgm, and scanning is fine at its size."""

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


class Migration(migrations.Migration):
    """Trigram indexes for the Sent tab's search, which looks for each word anywhere in the subject or the
    recipients (`mailbox.selectors.sent_messages`). Each index is on exactly the expression Django's lookup writes:
    `subject__icontains` is `UPPER("subject"::text) LIKE UPPER('%word%')` and `recipients_search__contains` is
    `"recipients_search"::text LIKE '%word%'`; the expression index also gives the planner statistics for
    UPPER(subject), which is how it tells a word in every subject from a rare one.

    New rows wait in a GIN pending list, which every search reads through until a vacuum merges it; 256 kB
    instead of the default 4 MB keeps that read short while bulk inserts stay batched (fastupdate off would make them
    five times slower). Built CONCURRENTLY so the outbox keeps taking writes meanwhile, which needs a migration
    outside a transaction."""

    atomic = False

    dependencies = [
        ("mailbox", "0004_message_without_interview"),
    ]

    operations = [
        CreateTrigramExtension(),
        RunSQLOnPostgreSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS mailbox_subject_trgm ON mailbox_message "
            "USING gin ((UPPER(subject::text)) gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
            "DROP INDEX CONCURRENTLY IF EXISTS mailbox_subject_trgm",
        ),
        RunSQLOnPostgreSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS mailbox_recipients_trgm ON mailbox_message "
            "USING gin (recipients_search gin_trgm_ops) WITH (gin_pending_list_limit = 256)",
            "DROP INDEX CONCURRENTLY IF EXISTS mailbox_recipients_trgm",
        ),
    ]
