"""The Sent tab's search: any part of a subject or a recipient, every word, only what the member may see; a pager
that stops counting at 1,000; and on PostgreSQL, trigram indexes instead of a scan of every message."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from mailbox.addresses import Address
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.conftest import analyze
from tests.mailbox.factories import bulk_messages, send_to_candidate
from tests.mailbox.test_sent_cursor_paging import walk

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}  # what the search box sends


def subjects(client, query: str) -> list[str]:
    """The subjects the Sent tab lists for a query string, newest first."""
    page = client.get(f"/acme/mailbox/sent/?{query}", **HTMX)
    assert page.status_code == 200
    html = page.content.decode()
    return re.findall(r'<a class="fw-medium" href="/acme/mailbox/messages/\d+/">(.*?)</a>', html)


def pager(client, query: str) -> str:
    html = client.get(f"/acme/mailbox/sent/?{query}", **HTMX).content.decode()
    found = re.search(r'<p class="text-body-secondary small mt-2">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


@pytest.fixture
def road_runner(acme, acme_job):
    with across_tenants("test setup"):
        return Candidate.objects.create(company=acme, full_name="Road Runner", email="beep.beep@desert-mail.test",
                                        job=acme_job)


def test_it_finds_part_of_a_name_an_address_or_a_subject_word_in_any_case(owner_client, owner, acme_candidate,
                                                                           road_runner):
    send_to_candidate(owner, acme_candidate, subject="Offer for the Rocket role")
    send_to_candidate(owner, road_runner, subject="Interview on Tuesday", cc=[Address(email="boss@acme.test")])

    assert subjects(owner_client, "q=coyo") == ["Offer for the Rocket role"]  # part of a name
    assert subjects(owner_client, "q=ACME-Candidates") == ["Offer for the Rocket role"]  # part of an address
    assert subjects(owner_client, "q=rocket") == ["Offer for the Rocket role"]  # a subject word, other case
    assert subjects(owner_client, "q=tUESd") == ["Interview on Tuesday"]
    assert subjects(owner_client, "q=boss%40acme") == ["Interview on Tuesday"]  # a Cc
    assert subjects(owner_client, "q=.test") == ["Interview on Tuesday", "Offer for the Rocket role"]
    assert subjects(owner_client, "q=giraffe") == []


def test_it_takes_percent_and_underscore_literally(owner_client, owner, acme_candidate):
    send_to_candidate(owner, acme_candidate, subject="Your 100% remote offer")
    send_to_candidate(owner, acme_candidate, subject="Your 1000 euro bonus")
    send_to_candidate(owner, acme_candidate, subject="Form A_B attached")

    assert subjects(owner_client, "q=100%25") == ["Your 100% remote offer"]
    assert subjects(owner_client, "q=a_b") == ["Form A_B attached"]
    assert subjects(owner_client, "q=r_m") == []  # "_" is not "any character"


def test_it_needs_every_word_to_match_somewhere(owner_client, owner, acme_candidate, road_runner):
    send_to_candidate(owner, acme_candidate, subject="Offer for the Rocket role")
    send_to_candidate(owner, acme_candidate, subject="Interview on Tuesday")
    send_to_candidate(owner, road_runner, subject="Offer for the Desk role")

    assert subjects(owner_client, "q=coyote+offer") == ["Offer for the Rocket role"]  # recipient and subject
    assert subjects(owner_client, "q=offer++ROLE") == ["Offer for the Desk role", "Offer for the Rocket role"]
    assert subjects(owner_client, "q=coyote+desk") == []


def test_it_never_finds_another_companys_messages(owner_client, outsider_client, owner, outsider, acme_candidate,
                                                  globex):
    with across_tenants("test setup"):
        globex_candidate = Candidate.objects.create(company=globex, full_name="Wile E. Coyote",
                                                    email="wile.coyote@acme-candidates.test")
    send_to_candidate(owner, acme_candidate, subject="Acme offer")
    send_to_candidate(outsider, globex_candidate, subject="Globex offer")

    assert subjects(owner_client, "who=everyone&q=offer") == ["Acme offer"]
    assert subjects(owner_client, "who=everyone&q=coyote") == ["Acme offer"]
    page = outsider_client.get("/globex/mailbox/sent/?who=everyone&q=offer", **HTMX).content.decode()
    assert "Globex offer" in page and "Acme offer" not in page


def test_it_searches_only_your_own_messages_unless_an_admin_asks_for_everyones(
    owner_client, teammate_client, owner, teammate, acme_candidate
):
    send_to_candidate(owner, acme_candidate, subject="Offer from the owner")
    send_to_candidate(teammate, acme_candidate, subject="Offer from the teammate")

    assert subjects(owner_client, "who=mine&q=offer") == ["Offer from the owner"]
    assert subjects(owner_client, "who=everyone&q=offer") == ["Offer from the teammate", "Offer from the owner"]
    # A recruiter asking for everyone's still searches their own.
    assert subjects(teammate_client, "who=everyone&q=offer") == ["Offer from the teammate"]


def test_it_counts_matches_up_to_1000_and_pages_on_past_them(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 1030)  # "Interview follow-up #0" (newest) .. "#1029"

    # Under the limit: the exact number, and where the page lies in it.
    assert pager(owner_client, "q=%2310").strip() == "41 messages"  # #10, #100 .. #109, #1000 .. #1029
    html = owner_client.get("/acme/mailbox/sent/?q=%2310", **HTMX).content.decode()
    assert "1–25 of 41</span>" in html

    # Over it: no total, a hint to narrow the search, and Older for as long as there are more.
    assert pager(owner_client, "q=follow-up") == "1,000+ messages — add a word or a filter to see fewer."
    assert pager(owner_client, "") == "1,000+ messages"  # the plain list has nothing to narrow
    first = owner_client.get("/acme/mailbox/sent/?q=follow-up", **HTMX).content.decode()
    assert "1–25 of many</span>" in first and "of 1" not in first
    assert re.search(r'rel="next" href="\?q=follow-up&amp;cursor=[^"]+">Older', first)

    pages = walk(owner_client, "/acme/mailbox/sent/?q=follow-up", **HTMX)
    assert len(pages) == 42
    assert pages[40].subjects == [f"Interview follow-up #{n}" for n in range(1000, 1025)]
    last = pages[-1]
    assert last.subjects == [f"Interview follow-up #{n}" for n in range(1025, 1030)]
    assert last.range == "1,026–1,030 of many" and last.older is None and "q=follow-up" in last.newer
    assert '<span class="page-link" aria-disabled="true">Older' in last.html


def test_it_pages_through_a_search_under_the_limit_in_the_list_order(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 1030)  # "Interview follow-up #0" (newest) .. "#1029"
    # 41 matches, newest first: #10, then #100 .. #109, then #1000 .. #1029.
    expected = [f"Interview follow-up #{n}" for n in [10, *range(100, 110), *range(1000, 1030)]]

    pages = walk(owner_client, "/acme/mailbox/sent/?q=%2310", **HTMX)
    assert [page.subjects for page in pages] == [expected[:25], expected[25:]]
    assert [page.range for page in pages] == ["1–25 of 41", "26–41 of 41"]
    assert pages[1].older is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
@pytest.mark.parametrize("term, index_names, searches_made", [
    # A word in a handful of messages: the trigram indexes find them all at once, and the page is cut from those.
    ("4242", ["mailbox_subject_trgm", "mailbox_recipients_trgm"], 1),
    # A word in every message: the count stops at 1,001, and the page comes from the newest-first index.
    ("follow-up", ["mailbox_company_newest"], 2),
])
def test_it_searches_through_indexes_and_never_scans_every_message(owner_client, owner, acme_candidate, term,
                                                                    index_names, searches_made):
    bulk_messages(owner, acme_candidate, 20_000)
    analyze("mailbox_message")

    with CaptureQueriesContext(connection) as captured:
        assert owner_client.get(f"/acme/mailbox/sent/?who=everyone&q={term}", **HTMX).status_code == 200
    searches = [query["sql"] for query in captured if "LIKE" in query["sql"]]
    assert len(searches) == searches_made
    for sql in searches:
        with scope(company=owner.company), connection.cursor() as cursor:  # as the page asked
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(line for (line,) in cursor.fetchall())
        assert "Seq Scan on mailbox_message" not in plan, plan
        assert all(name in plan for name in index_names), plan
