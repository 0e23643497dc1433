"""The language of the interviewers' messages, chosen in the wizard (issue 15). Existing interviews keep writing to
their interviewers in the organizer's language: blank means that."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0012_invite_template_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="interviewers_language",
            field=models.CharField(blank=True, default="", max_length=12),
            preserve_default=False,
        ),
    ]
