"""The Sent tab pages by cursor: Newer / Older links that carry the sort key of the page's edge row (issue 11).

What a reader notices: paging forward and back shows the same rows, none twice and none left out, even when many
messages share a timestamp; a page's link shows the same rows after new mail arrives; filters, search and
Mine/Everyone stay on every link; a mangled, forged or other company's cursor shows the first page; old numbered
links still open. And what the database notices: a page deep in 20,000 messages reads as many rows as the first.
"""

import base64
import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from mailbox.models import Message
from mailbox.selectors import SentFilters, sent_messages
from mailbox.sent_pager import NEWER, OLDER, Cursor, cursor_token
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.conftest import analyze, client_for
from tests.mailbox.factories import bulk_messages, send_to_candidate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}  # what the search box sends
SENT = "/acme/mailbox/sent/"


class Listing:
    """One response of the Sent tab as a reader sees it: the subjects listed, the pager's words and its links."""

    def __init__(self, response, path: str = SENT):
        assert response.status_code == 200
        self.html = response.content.decode()
        self.subjects = re.findall(r'<a class="fw-medium" href="/\w+/mailbox/messages/\d+/">(.*?)</a>', self.html)
        found = re.search(r'<li class="page-item active" aria-current="page"><span class="page-link">(.*?)</span>',
                          self.html)
        self.range = found.group(1) if found else ""
        self.newer = self._link(path, "prev")
        self.older = self._link(path, "next")

    def _link(self, path: str, rel: str) -> str | None:
        found = re.search(rf'<a class="page-link" rel="{rel}" href="([^"]+)">', self.html)
        return path + html.unescape(found.group(1)) if found else None


def walk(client, url: str, **headers) -> list[Listing]:
    """Every page from `url` on, following Older until there is none."""
    path = url.split("?")[0]
    pages = [Listing(client.get(url, **headers), path)]
    while pages[-1].older:
        assert len(pages) < 100, "the Older links go round in circles"
        pages.append(Listing(client.get(pages[-1].older, **headers), path))
    return pages


def walk_back(client, pages: list[Listing], **headers) -> list[Listing]:
    """From the last page of `pages`, following Newer until there is none."""
    back = [pages[-1]]
    while back[-1].newer:
        assert len(back) < 100, "the Newer links go round in circles"
        back.append(Listing(client.get(back[-1].newer, **headers), back[-1].newer.split("?")[0]))
    return back[::-1]


def newest_first(**filters) -> list[str]:
    with across_tenants("test setup"):
        return list(Message.objects.filter(**filters).order_by("-created_at", "-id").values_list("subject", flat=True))


def test_it_pages_older_and_back_newer_through_the_same_rows(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 60)  # "Interview follow-up #0" (newest) .. "#59"

    pages = walk(owner_client, SENT)
    assert [len(page.subjects) for page in pages] == [25, 25, 10]
    assert [page.range for page in pages] == ["1–25 of 60", "26–50 of 60", "51–60 of 60"]
    assert sum((page.subjects for page in pages), []) == [f"Interview follow-up #{n}" for n in range(60)]
    # The first page is the tab's own URL; Newer from the second leads back to the same rows.
    assert pages[0].newer is None and "cursor=" in pages[1].newer
    assert '<span class="page-link" aria-disabled="true"><span aria-hidden="true">‹ </span>Newer</span>' \
        in pages[0].html

    back = walk_back(owner_client, pages)
    assert [page.subjects for page in back] == [page.subjects for page in pages]
    assert [page.range for page in back] == [page.range for page in pages]


def test_it_neither_repeats_nor_skips_messages_that_share_a_timestamp(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 80)
    # 70 of them written in the same microsecond (a bulk import, a batch of invitations), so pages break inside them.
    with across_tenants("test setup"):
        ids = sorted(Message.objects.values_list("pk", flat=True))
        Message.objects.filter(pk__in=ids[5:75]).update(created_at=timezone.now() - timedelta(days=1))
    expected = newest_first()

    pages = walk(owner_client, SENT)
    listed = sum((page.subjects for page in pages), [])
    assert listed == expected and len(set(listed)) == 80
    assert [page.subjects for page in walk_back(owner_client, pages)] == [page.subjects for page in pages]


def test_it_keeps_a_links_rows_when_new_mail_arrives(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 60)
    second_url = Listing(owner_client.get(SENT)).older
    second = Listing(owner_client.get(second_url))

    for n in range(3):
        send_to_candidate(owner, acme_candidate, subject=f"Arrived later {n}")

    # A reload (or a bookmark) shows the very same rows: the link does not slide by the three new messages.
    assert Listing(owner_client.get(second_url)).subjects == second.subjects
    first = Listing(owner_client.get(SENT))
    assert first.subjects[:4] == ["Arrived later 2", "Arrived later 1", "Arrived later 0", "Interview follow-up #0"]
    assert Listing(owner_client.get(first.older)).subjects[0] == "Interview follow-up #22"
    # Newer shows the page just above it, and then the new mail on top, none of it skipped.
    above = Listing(owner_client.get(second.newer))
    assert above.subjects == [f"Interview follow-up #{n}" for n in range(25)] and above.newer
    top = Listing(owner_client.get(above.newer))  # fewer than a page above: the first page, full
    assert top.subjects[:4] == ["Arrived later 2", "Arrived later 1", "Arrived later 0", "Interview follow-up #0"]
    assert top.range == "1–25 of 63" and top.newer is None


def test_it_keeps_filters_search_and_whose_mail_on_every_link(owner_client, teammate_client, owner, teammate,
                                                              acme_candidate):
    with across_tenants("test setup"):
        other = Candidate.objects.create(company=owner.company, full_name="Road Runner", email="beep@desert.test")
    bulk_messages(owner, acme_candidate, 1030)  # "Interview follow-up #0" (newest) .. "#1029"
    bulk_messages(teammate, other, 40, offset=2000)

    # A search under the count limit: every match known at once, places exact.
    expected = [f"Interview follow-up #{n}" for n in [10, *range(100, 110), *range(1000, 1030)]]
    pages = walk(owner_client, f"{SENT}?who=mine&q=%2310", **HTMX)
    assert sum((page.subjects for page in pages), []) == expected
    assert [page.range for page in pages] == ["1–25 of 41", "26–41 of 41"]
    assert "who=mine" in pages[1].newer + pages[0].older and "q=%2310" in pages[0].older
    assert [page.subjects for page in walk_back(owner_client, pages, **HTMX)] == [page.subjects for page in pages]

    # Over the limit: "of many", and a status filter with Mine.
    pages = walk(owner_client, f"{SENT}?who=mine&status=failed")
    assert [page.range for page in pages] == ["1–25 of 51", "26–50 of 51", "51 of 51"]
    assert sum((page.subjects for page in pages), []) == [f"Interview follow-up #{n}" for n in range(17, 1030, 20)]
    common = walk(owner_client, f"{SENT}?q=follow-up&candidate={acme_candidate.pk}", **HTMX)
    assert common[0].range == "1–25 of 148" and len(common) == 6  # one in seven is about the candidate
    assert sum((page.subjects for page in common), []) == [f"Interview follow-up #{n}" for n in range(0, 1030, 7)]
    everyone = walk(owner_client, f"{SENT}?audience=candidate")
    assert everyone[0].range == "1–25 of many" and everyone[-1].range == "1,051–1,070 of many"
    assert len(sum((page.subjects for page in everyone), [])) == 1070

    # A recruiter pages through their own mail only, whatever the link says.
    theirs = walk(teammate_client, f"{SENT}?who=everyone")
    assert sum((page.subjects for page in theirs), []) == [f"Interview follow-up #{n}" for n in range(2000, 2040)]


def test_it_follows_a_link_whose_edge_message_was_deleted(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 1030)
    expected = [f"Interview follow-up #{n}" for n in [10, *range(100, 110), *range(1000, 1030)]]
    search = Listing(owner_client.get(f"{SENT}?q=%2310", **HTMX))
    plain = Listing(owner_client.get(SENT))
    with across_tenants("test setup"):
        Message.objects.filter(subject__in=[expected[24], "Interview follow-up #24"]).delete()

    older = Listing(owner_client.get(search.older, **HTMX))
    assert older.subjects == expected[25:] and older.range == "25–40 of 40"
    assert Listing(owner_client.get(plain.older)).subjects[0] == "Interview follow-up #25"


@pytest.mark.parametrize("cursor", [
    "garbage", "", "WyJvIiwxLDEsMjZd:" + "A" * 43,  # a payload with a made-up signature
    "x" * 5000, "%00", "WyJvIiwxLDEsMjZd",
])
def test_it_shows_the_first_page_for_a_bad_cursor(owner_client, owner, acme_candidate, cursor):
    bulk_messages(owner, acme_candidate, 30)
    first = Listing(owner_client.get(SENT))

    page = Listing(owner_client.get(SENT, {"cursor": cursor}))
    assert page.subjects == first.subjects and page.range == "1–25 of 30"


def test_it_shows_the_first_page_for_a_changed_cursor(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 60)
    first = Listing(owner_client.get(SENT))
    token = re.search(r"cursor=([^&]+)", first.older).group(1)
    payload, signature = token.split("%3A")  # the signed value, ":" and its signature
    with across_tenants("test setup"):
        later = Message.objects.get(subject="Interview follow-up #40")
    micros = (later.created_at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    # The same link with message #40's key in place of #24's (as one might try to jump ahead), under the old
    # signature; a changed signature; none.
    forged = base64.urlsafe_b64encode(json.dumps([OLDER, micros, later.pk, 41]).encode()).decode().rstrip("=")

    for cursor in (f"{forged}%3A{signature}", f"{payload}%3A{signature[::-1]}", f"{payload}%3A", payload):
        assert Listing(owner_client.get(f"{SENT}?cursor={cursor}")).subjects == first.subjects
    assert Listing(owner_client.get(f"{SENT}?cursor={token}")).subjects[0] == "Interview follow-up #25"


def test_it_leaks_nothing_through_another_companys_cursor(owner_client, outsider_client, owner, outsider,
                                                          acme_candidate, globex):
    with across_tenants("test setup"):
        globex_candidate = Candidate.objects.create(company=globex, full_name="Globex Person", email="p@globex.test")
    bulk_messages(owner, acme_candidate, 60)
    bulk_messages(outsider, globex_candidate, 60, offset=500)  # Globex's are older: "#500" .. "#559"
    with across_tenants("test setup"):
        Message.objects.filter(company=globex).update(subject="Globex secret")
        globex_row = Message.objects.filter(company=globex).order_by("-created_at", "-id")[30]
    acme_first = Listing(owner_client.get(SENT))
    globex_pages = walk(outsider_client, "/globex/mailbox/sent/")

    # Globex's own Older link, pasted into Acme's Sent tab (and Acme's into Globex's): each gets its first page.
    globex_link = globex_pages[0].older.replace("/globex/", "/acme/")
    page = Listing(owner_client.get(globex_link))
    assert page.subjects == acme_first.subjects and "Globex" not in page.html
    acme_link = acme_first.older.replace("/acme/", "/globex/")
    page = Listing(outsider_client.get(acme_link))
    assert page.subjects == globex_pages[0].subjects and "Interview follow-up" not in page.html

    # Even a cursor signed for Acme around a Globex row's key only ever says where in time to start: Acme's rows.
    for direction in (OLDER, NEWER):
        cursor = cursor_token(Cursor(direction, globex_row.created_at, globex_row.pk, 26), company_id=owner.company_id)
        page = Listing(owner_client.get(SENT, {"cursor": cursor}))
        assert "Globex" not in page.html
        assert set(page.subjects) <= set(newest_first(company=owner.company))


def test_it_says_when_nothing_is_older_and_links_to_the_first_page(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 30)
    with across_tenants("test setup"):
        oldest = Message.objects.order_by("created_at", "id").first()
    cursor = cursor_token(Cursor(OLDER, oldest.created_at, oldest.pk, 31), company_id=owner.company_id)

    page = Listing(owner_client.get(SENT, {"cursor": cursor}))
    assert page.subjects == []
    assert 'There are no older messages. <a href="?">Go to the first page</a>' in page.html


def test_it_opens_old_numbered_links_on_the_first_page_with_their_filters(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 60)

    for old, new in [("?page=2", SENT), ("?page=4000&status=failed&q=follow", f"{SENT}?status=failed&q=follow"),
                     ("?page=abc", SENT), (f"?page={10**30}&who=mine", f"{SENT}?who=mine")]:
        response = owner_client.get(f"{SENT}{old}")
        assert response.status_code == 302 and response["Location"] == new
        assert owner_client.get(new).status_code == 200


def test_it_labels_the_pager_and_marks_its_links_prev_and_next(owner_client, owner, acme_candidate):
    bulk_messages(owner, acme_candidate, 60)
    second = Listing(owner_client.get(Listing(owner_client.get(SENT)).older))

    nav = re.search(r'<nav aria-label="Pages">(.*?)</nav>', second.html, re.S).group(1)
    assert re.search(r'<a class="page-link" rel="prev" href="\?cursor=[^"]+">.*Newer</a>', nav)
    assert re.search(r'<a class="page-link" rel="next" href="\?cursor=[^"]+">Older.*</a>', nav)
    assert '<li class="page-item active" aria-current="page"><span class="page-link">26–50 of 60</span>' in nav


def test_it_speaks_german_in_the_pager(owner, acme_candidate):
    owner.user.language = "de"
    owner.user.save(update_fields=["language"])
    client = client_for(owner)
    bulk_messages(owner, acme_candidate, 1030)

    first = Listing(client.get(SENT))
    text = " ".join(re.sub(r"<[^>]+>", " ", first.html).split())
    assert first.range == "1–25 von vielen" and "Ältere" in text and "Neuere" in text and "Older" not in text
    assert Listing(client.get(f"{SENT}?q=%2310", **HTMX)).range == "1–25 von 41"
    with across_tenants("test setup"):
        oldest = Message.objects.order_by("created_at", "id").first()
    cursor = cursor_token(Cursor(OLDER, oldest.created_at, oldest.pk, 1031), company_id=owner.company_id)
    assert "Hier gibt es keine älteren Nachrichten." in client.get(SENT, {"cursor": cursor}).content.decode()


# What the database does. 20,000 messages: an OFFSET to the middle would read 10,000 index entries.
DEPTH_FILTERS = ["who=everyone", "who=mine", "status=failed", "candidate={candidate}", "q=follow-up",
                 "who=everyone&audience=candidate"]


@pytest.fixture
def many(owner, teammate, acme_candidate):
    bulk_messages(owner, acme_candidate, 18_000)
    bulk_messages(teammate, acme_candidate, 2_000, offset=18_000)
    analyze("mailbox_message")  # what autovacuum would have done by now


def _middle_cursor(url: str, owner, direction: str) -> str:
    """The cursor of the row halfway down the list `url` shows, as an Older or Newer link would carry it."""
    filters = SentFilters.from_query(QueryDict(url.partition("?")[2]), owner)
    with across_tenants("test setup"):
        listed = sent_messages(member=owner, filters=filters)
        middle = listed[listed.count() // 2]
    return cursor_token(Cursor(direction, middle.created_at, middle.pk, 5000), company_id=owner.company_id)


def _queries(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return [query["sql"] for query in captured]


def _rows_read(sql: str, company) -> int:
    """Rows PostgreSQL took from mailbox_message (its heap or its indexes) to answer `sql`, in the company's scope
    as the page asked it."""
    with scope(company=company), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        [(plan,)] = cursor.fetchall()

    def walk_plan(node: dict) -> int:
        read = 0
        if node.get("Relation Name") == "mailbox_message":
            read += round((node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"])
        return read + sum(walk_plan(child) for child in node.get("Plans", []))

    return walk_plan(plan[0]["Plan"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's")
@pytest.mark.parametrize("query", DEPTH_FILTERS)
@pytest.mark.parametrize("direction", [OLDER, NEWER])
def test_it_reads_as_many_rows_for_a_page_in_the_middle_as_for_the_first(many, owner, owner_client, acme_candidate,
                                                                         query, direction):
    url = f"{SENT}?{query.format(candidate=acme_candidate.pk)}"
    deep_url = f"{url}&cursor={_middle_cursor(url, owner, direction)}"

    first, deep = _queries(owner_client, url, **HTMX), _queries(owner_client, deep_url, **HTMX)
    shown = Listing(owner_client.get(deep_url, **HTMX)).subjects
    assert shown and shown[0] not in Listing(owner_client.get(url, **HTMX)).subjects  # really a page deep down
    assert len(deep) == len(first)
    # The outbox, or the Sent listing's view of it (mailbox.models.SentListing).
    read_first = [_rows_read(sql, owner.company) for sql in first if "mailbox_" in sql]
    read_deep = [_rows_read(sql, owner.company) for sql in deep if "mailbox_" in sql]
    # Query by query (count, page, failed count): the same rows, give or take a page's worth where
    # a filter without an index of its own skips rows.
    for on_first, on_deep in zip(read_first, read_deep, strict=True):
        assert on_deep <= on_first + 30, (read_first, read_deep)
    page_sql = next(sql for sql in deep if '"mailbox_message"."last_error"' in sql)  # the page's rows
    with scope(company=owner.company), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page_sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert re.search(r"Index Cond: \(\(company_id = .*ROW\(created_at, id\) [<>] ROW", plan), plan  # a seek, no walk


def test_it_makes_every_page_cost_the_same_number_of_queries(many, owner, owner_client, acme_candidate):
    first = Listing(owner_client.get(SENT))
    counts = [len(_queries(owner_client, url)) for url in [
        SENT, first.older, Listing(owner_client.get(first.older)).older,
        f"{SENT}?cursor={_middle_cursor(SENT, owner, OLDER)}", f"{SENT}?cursor={_middle_cursor(SENT, owner, NEWER)}",
    ]]
    # session, user, company, membership, the layout's two, count, page, failed count, sending limits' use
    assert counts == [10] * 5
    # A search of a handful: the matches' ids at once, then the page's rows, on every page.
    search = walk(owner_client, f"{SENT}?q=%23100", **HTMX)  # #100, #1000 .. #1009, #10000 .. #10099
    assert len(search) > 2 and search[0].range == "1–25 of 111"
    counts = [len(_queries(owner_client, url, **HTMX)) for url in [f"{SENT}?q=%23100", search[1].older,
                                                                    search[-1].newer]]
    # session, user, company, membership, the layout's calendar connection, the matches, the page, failed count
    assert counts == [8] * 3
