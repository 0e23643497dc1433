"""Issue 13: Retry of a meeting link that failed after the invitations went out (a "retrying" status and the id of
the request to make it again), and the wording of the invitations held for the link, kept as it was at Send.
Invitations held before this migration have no stored wording and are worded from the wizard draft, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0013_interview_interviewers_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarinvite",
            name="held_wording",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="calendarinvite",
            name="meeting_request",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="calendarinvite",
            name="meeting_status",
            field=models.CharField(blank=True, choices=[("requested", "Requested"), ("pending", "Being created"),
                                                        ("retrying", "Being created again"), ("created", "Created"),
                                                        ("failed", "Failed")], max_length=12),
        ),
    ]
