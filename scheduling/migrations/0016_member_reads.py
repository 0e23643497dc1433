"""A member's interviews read by time and from the index alone: the organizer's interviews by start (the home page's
declines and unanswered invitations, still to come), and each member's invitations with the interview, the company
and the role (the interviews one takes part in, and the Interviews page's interviewer filter). They replace the
foreign keys' own indexes, whose first column they share."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scheduling', '0015_tenant_wall'),
        ('tenancy', '0007_tenant_wall'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='interview',
            index=models.Index(fields=['organizer', 'start'], name='interview_organizer_start'),
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(fields=['member', 'interview', 'company', 'role'], name='participant_member_interview'),
        ),
        migrations.AlterField(
            model_name='interview',
            name='organizer',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership'),
        ),
        migrations.AlterField(
            model_name='participant',
            name='member',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='tenancy.membership'),
        ),
    ]
