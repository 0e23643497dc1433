"""PostgreSQL: statements a connection sends again and again are prepared on the server, and still planned for each
run's own values (recruitee/settings/base.py, tenant_wall_engine)."""

import pytest
from django.db import connection

from recruitee.tenancy.models import Company

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.django_db
def test_a_read_sent_again_and_again_is_prepared_once_on_the_server():
    def read(slug: str) -> list[Company]:
        return list(Company.objects.filter(slug=slug))

    read("first-time")
    assert not [s for s in prepared_statements() if '"tenancy_company"."slug" = $1' in s]
    for number in range(connection.settings_dict["OPTIONS"]["prepare_threshold"]):
        read(f"slug-{number}")
    found = [s for s in prepared_statements() if '"tenancy_company"."slug" = $1' in s]
    assert len(found) == 1, found


@pytest.mark.django_db
def test_each_run_is_planned_for_its_own_values():
    # A cached plan for "any word" would serve a search for a rare word and for a common one alike.
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_custom_plan",)
