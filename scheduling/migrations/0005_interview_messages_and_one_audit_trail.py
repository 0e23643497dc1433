import django.db.models.deletion
import django_scopes
from django.db import migrations, models


def copy_message_links(apps, schema_editor):
    """mailbox.Message.interview (removed by mailbox 0004, which runs after this) becomes InterviewMessage rows."""
    Message = apps.get_model("mailbox", "Message")
    InterviewMessage = apps.get_model("scheduling", "InterviewMessage")
    with django_scopes.scopes_disabled():
        links = Message.objects.filter(interview__isnull=False).values_list("pk", "company_id", "interview_id")
        InterviewMessage.objects.bulk_create(
            [InterviewMessage(message_id=pk, company_id=company_id, interview_id=interview_id)
             for pk, company_id, interview_id in links.iterator()],
            batch_size=1000,
        )


def copy_interview_history(apps, schema_editor):
    """The interview history joins the company's audit trail, whose entries about an interview are now its
    history: one trail, kept in one place."""
    InterviewChange = apps.get_model("scheduling", "InterviewChange")
    AuditEntry = apps.get_model("tenancy", "AuditEntry")
    with django_scopes.scopes_disabled():
        for change in InterviewChange.objects.select_related("interview__candidate").order_by("pk").iterator():
            interview = change.interview
            entry = AuditEntry.objects.create(
                company_id=change.company_id, actor_id=change.actor_id, action=f"interview.{change.kind}",
                summary=f"{interview.title} with {interview.candidate.full_name}: {change.summary}"[:300],
                target_type="scheduling.interview", target_id=interview.pk,
                data={**change.data, "detail": change.summary},
            )
            # auto_now_add set "now"; the history keeps its own dates.
            AuditEntry.objects.filter(pk=entry.pk).update(created_at=change.created_at)


class Migration(migrations.Migration):

    dependencies = [
        ('mailbox', '0003_message_recipient_count'),
        ('scheduling', '0004_schedule_drafts'),
        ('tenancy', '0002_audit_entry_target'),
    ]

    operations = [
        migrations.CreateModel(
            name='InterviewMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.company')),
                ('interview', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='message_links', to='scheduling.interview')),
                ('message', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='mailbox.message')),
            ],
        ),
        migrations.RunPython(copy_message_links, migrations.RunPython.noop),
        migrations.RunPython(copy_interview_history, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='InterviewChange',
        ),
    ]
