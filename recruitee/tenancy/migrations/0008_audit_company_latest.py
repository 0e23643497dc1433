"""A company's latest audit entries through an index of their own, in the order the audit log and the home page show
them. It replaces the index on the time alone (over every company's entries: a small company's page walked past a
big one's) and the company's own (the first column of both indexes now)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tenancy', '0007_tenant_wall'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['company', '-created_at', '-id'], name='audit_company_latest'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='company',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='audit_entries', to='tenancy.company'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='created_at',
            field=models.DateTimeField(auto_now_add=True),
        ),
    ]
