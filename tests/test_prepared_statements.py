"""PostgreSQL: statements a connection sends again and again are prepared on the server and planned once; searches
are planned for their own words every time (recruitee/settings/base.py, tenant_wall_engine; recruitee/db/postgresql).
"""

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
def test_a_read_sent_again_and_again_is_planned_once_and_a_search_for_its_own_words_every_time():
    def read(slug: str) -> list[Company]:
        return list(Company.objects.filter(slug=slug))

    def search(word: str) -> list[Company]:
        return list(Company.objects.filter(name__icontains=word))

    for number in range(3 * connection.settings_dict["OPTIONS"]["prepare_threshold"]):
        read(f"slug-{number}")
        search(f"word-{number}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        prepared = cursor.fetchall()
    # Planned under the tenant policies once, not at every run (PostgreSQL's plan_cache_mode auto).
    [plans] = [plans for statement, plans in prepared if '"tenancy_company"."slug" = $1' in statement]
    assert plans > 0
    # A cached plan for "any word" would serve a search for a rare word and for a common one alike: never prepared.
    assert not [statement for statement, _ in prepared if "LIKE" in statement]
