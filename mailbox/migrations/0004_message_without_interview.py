from django.db import migrations


class Migration(migrations.Migration):
    """The link between a message and an interview now lives on the scheduling side (scheduling.InterviewMessage);
    scheduling's migration copies the existing links before this removes the column."""

    dependencies = [
        ('mailbox', '0003_message_recipient_count'),
        ('scheduling', '0005_interview_messages_and_one_audit_trail'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='message',
            name='interview',
        ),
    ]
