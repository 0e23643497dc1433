"""The Interviews page's search through indexes: a trigram index on the SQL `title__icontains` writes
(recruitee/migration_operations.py says why GIN and CONCURRENTLY, which needs a migration outside a transaction), and
the read-only view through which a search reaches it under row-level security (scheduling.models.InterviewListing).
The candidate half of the search goes through recruiting's CandidateListing; recruiting's migration 0005 made the
pg_trgm extension (unmade here, the extension would be dropped under the other apps' indexes)."""

from django.db import migrations, models

from recruitee.migration_operations import trigram_index
from recruitee.tenancy.rls import TenantListingView


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ("scheduling", "0016_member_reads"),
        ("recruiting", "0005_candidate_search_listing"),
    ]

    operations = [
        trigram_index("scheduling_interview_title_trgm", "scheduling_interview", "UPPER(title::text)"),
        TenantListingView("scheduling_interview_listing", "scheduling_interview", ["id", "company_id", "title"]),
        migrations.CreateModel(
            name="InterviewListing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200)),
                ("company", models.ForeignKey(on_delete=models.deletion.DO_NOTHING, related_name="+",
                                              to="tenancy.company")),
            ],
            options={
                "db_table": "scheduling_interview_listing",
                "managed": False,
            },
        ),
    ]
