"""The Sent tab's view of the outbox (mailbox.models.SentListing): the rows of the session's companies, read as the
view's owner so that the search's LIKE conditions can use the trigram indexes (row-level security would apply them
only after its own check). The application may only read it."""

from django.db import migrations, models

from recruitee.tenancy.rls import TenantListingView


class Migration(migrations.Migration):

    dependencies = [
        ('mailbox', '0006_tenant_wall'),
    ]

    operations = [
        TenantListingView("mailbox_sent_listing", "mailbox_message", [
            "id", "company_id", "sender_id", "candidate_id", "audience", "status", "subject", "recipients_search",
            "created_at",
        ]),
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
