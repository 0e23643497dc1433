"""Invite templates per language (issue 15): a `language` on each template, one per company, audience, purpose and
language.

Every template a company edited so far stays English ("en"), not the company's default language: the product
offered English only when they were written, so their words are English whatever the company's default is now.
Calling them German would send English text to German candidates under a German subject line, and hide the shipped
German default from every company that set German as its default.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("scheduling", "0011_invitation_calendar"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="invitetemplate",
            name="one_template_per_use",
        ),
        migrations.AddField(
            model_name="invitetemplate",
            name="language",
            field=models.CharField(default="en", max_length=12),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="invitetemplate",
            constraint=models.UniqueConstraint(fields=("company", "audience", "purpose", "language"),
                                               name="one_template_per_use_and_language"),
        ),
    ]
