from datetime import timedelta

from django.db import migrations, models
from django.utils import timezone


def count_recent_recipients(apps, schema_editor):
    """Only the last day's rows are ever counted by the sending limits; older ones keep the default of one."""
    Message = apps.get_model("mailbox", "Message")
    recent = Message.objects.filter(created_at__gt=timezone.now() - timedelta(hours=24))
    for message in recent.only("pk", "to", "cc").iterator():
        Message.objects.filter(pk=message.pk).update(recipient_count=max(1, len(message.to) + len(message.cc)))


class Migration(migrations.Migration):

    dependencies = [
        ("mailbox", "0002_message_interview"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="recipient_count",
            field=models.PositiveSmallIntegerField(db_default=1),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["company", "created_at"], include=("sender", "recipient_count"), name="mailbox_sending_quota"
            ),
        ),
        migrations.RunPython(count_recent_recipients, migrations.RunPython.noop),
    ]
