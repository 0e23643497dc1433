"""The Sent tab's view of the outbox (mailbox.models.SentListing): the rows of the session's companies, read as the
view's owner so that the search's LIKE conditions can use the trigram indexes (row-level security would apply them
only after its own check). The application may only read it."""

from django.db import migrations, models

from recruitee.tenancy.db import APP_ROLE, CROSSTENANT_ROLE
from recruitee.tenancy.rls import TENANT_IDS

VIEW = "mailbox_sent_listing"
COLUMNS = "id, company_id, sender_id, candidate_id, audience, status, subject, recipients_search, created_at"


def create_view(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE VIEW {VIEW} AS SELECT {COLUMNS} FROM mailbox_message "
            f"WHERE company_id = ANY ({TENANT_IDS}::bigint[]) WITH CASCADED CHECK OPTION"
        )
        # The default privileges would let the application write through it, as the view's owner.
        schema_editor.execute(f"REVOKE ALL ON {VIEW} FROM {APP_ROLE}, {CROSSTENANT_ROLE}")
        schema_editor.execute(f"GRANT SELECT ON {VIEW} TO {APP_ROLE}, {CROSSTENANT_ROLE}")
    else:  # SQLite (make run): no tenant wall in the database, django-scopes alone
        schema_editor.execute(f"CREATE VIEW {VIEW} AS SELECT {COLUMNS} FROM mailbox_message")


def drop_view(apps, schema_editor):
    schema_editor.execute(f"DROP VIEW IF EXISTS {VIEW}")


class Migration(migrations.Migration):

    dependencies = [
        ('mailbox', '0006_tenant_wall'),
    ]

    operations = [
        migrations.RunPython(create_view, drop_view),
        migrations.CreateModel(
            name='SentListing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(choices=[('candidate', 'Candidate'), ('interviewers', 'Interviewers'), ('team', 'Team'), ('system', 'System')], max_length=20)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('failed', 'Failed')], max_length=10)),
                ('subject', models.CharField(max_length=300)),
                ('recipients_search', models.TextField()),
                ('created_at', models.DateTimeField()),
            ],
            options={
                'db_table': 'mailbox_sent_listing',
                'ordering': ['-created_at', '-id'],
                'managed': False,
            },
        ),
    ]
