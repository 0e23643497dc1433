from django.db import migrations, models

import recruitee.validators


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0008_meeting_links_answers_outside_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="cancellation_reason",
            field=models.CharField(blank=True, max_length=2000,
                                   validators=[recruitee.validators.validate_no_line_breaks]),
        ),
        migrations.AddField(
            model_name="interview",
            name="cancellation_note",
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AddField(
            model_name="interview",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
