"""The candidate list's search: every word, anywhere in a name, an email or a phone number, in any case; only the
company's own candidates; and on PostgreSQL, trigram indexes instead of a scan of every candidate."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.conftest import analyze

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}  # what the search box sends


def found(client, query: str) -> list[str]:
    """The names the candidate list shows for a search, newest first."""
    page = client.get("/acme/candidates/", {"q": query}, **HTMX)
    assert page.status_code == 200
    return re.findall(r'<td><a href="/acme/candidates/\d+/">(.*?)</a></td>', page.content.decode())


@pytest.fixture
def people(acme, globex):
    with across_tenants("test setup"):
        for company, name, email, phone in [
            (acme, "Ada Lovelace", "ada@analytical.example", "+44 20 7946 0001"),
            (acme, "Grace Hopper", "grace@navy.example", "+1 212 555 0199"),
            (acme, "Alan Turing", "alan@bletchley.example", ""),
            (globex, "Ada Lovelace", "ada@globex.example", "+44 20 7946 0001"),
        ]:
            Candidate.objects.create(company=company, full_name=name, email=email, phone=phone)


def test_it_finds_every_word_anywhere_in_name_email_or_phone(teammate_client, people):
    assert found(teammate_client, "lovelace") == ["Ada Lovelace"]
    assert found(teammate_client, "NAVY") == ["Grace Hopper"]
    assert found(teammate_client, "555 0199") == ["Grace Hopper"]
    assert found(teammate_client, "a example") == ["Alan Turing", "Grace Hopper", "Ada Lovelace"]
    assert found(teammate_client, "ada bletchley") == []  # every word, not any


def test_it_never_finds_another_companys_candidate(teammate_client, people):
    assert found(teammate_client, "globex") == []
    assert found(teammate_client, "7946") == ["Ada Lovelace"]  # acme's, once


def test_it_finds_a_candidate_under_their_new_name(teammate_client, acme, people):
    with scope(company=acme):
        Candidate.objects.filter(full_name="Alan Turing").update(full_name="Alan M. Turing")
    assert found(teammate_client, "M. Turing") == ["Alan M. Turing"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_it_searches_through_indexes_and_never_scans_every_candidate(teammate_client, acme):
    with across_tenants("test setup"):
        Candidate.objects.bulk_create([
            Candidate(company=acme, full_name=f"Wile E. Coyote {n}", email=f"wile{n}@acme-people.example")
            for n in range(5000)
        ])
    analyze("recruiting_candidate")

    with CaptureQueriesContext(connection) as captured:
        assert found(teammate_client, "Coyote 4242") == ["Wile E. Coyote 4242"]
    searches = [query["sql"] for query in captured if "LIKE" in query["sql"]]
    assert len(searches) == 2  # the pager's count and the page
    for sql in searches:
        with scope(company=acme), connection.cursor() as cursor:  # as the page asked
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        assert "Seq Scan on recruiting_candidate" not in plan, plan
        assert "recruiting_candidate_name_trgm" in plan and "recruiting_candidate_email_trgm" in plan, plan
