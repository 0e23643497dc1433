"""The candidate search through indexes: trigram indexes on exactly the SQL its lookups write
(`full_name__icontains` is `UPPER("full_name"::text) LIKE UPPER('%word%')`; recruitee/migration_operations.py says why
GIN and CONCURRENTLY, which needs a migration outside a transaction), and the read-only view through which a search
reaches them under row-level security (recruitee.recruiting.models.CandidateListing)."""

from django.db import migrations, models

from recruitee.migration_operations import CreateTrigramExtension, trigram_index
from recruitee.tenancy.rls import TenantListingView


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ("recruiting", "0004_tenant_wall"),
        ("tenancy", "0007_tenant_wall"),
    ]

    operations = [
        CreateTrigramExtension(),
        trigram_index("recruiting_candidate_name_trgm", "recruiting_candidate", "UPPER(full_name::text)"),
        trigram_index("recruiting_candidate_email_trgm", "recruiting_candidate", "UPPER(email::text)"),
        trigram_index("recruiting_candidate_phone_trgm", "recruiting_candidate", "UPPER(phone::text)"),
        TenantListingView("recruiting_candidate_listing", "recruiting_candidate",
                          ["id", "company_id", "full_name", "email", "phone"]),
        migrations.CreateModel(
            name="CandidateListing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("full_name", models.CharField(max_length=200)),
                ("email", models.CharField(max_length=254)),
                ("phone", models.CharField(blank=True, max_length=40)),
                ("company", models.ForeignKey(on_delete=models.deletion.DO_NOTHING, related_name="+",
                                              to="tenancy.company")),
            ],
            options={
                "db_table": "recruiting_candidate_listing",
                "managed": False,
            },
        ),
    ]
