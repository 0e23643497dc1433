"""Keyset ("cursor") paging for the Sent tab: Newer / Older links that carry the sort key of a page's edge row.

A numbered page N made PostgreSQL walk N × 25 index entries (OFFSET) before reading the 25 it shows: page 2,000 of
100,000 messages spent 12 ms there (issue 11). Here a page starts *at* a key instead: "older than (created_at, id)
of the last row shown" is one row comparison that the `(company, …, -created_at, -id)` indexes answer as an index
condition, so every page reads about 26 index entries, however deep it is. The order is the list's and the
indexes' order, newest first, the id breaking ties, so rows that share a timestamp are neither repeated nor skipped.

The cursor in the link is signed with the company in the salt: a forged, mangled or another company's cursor reads
as none at all (the first page), never as an error. It holds the boundary's key and, for the "26–50" the pager
shows, the place in the list of the page it leads to. That place is how things stood when the link was made; if
messages arrive or go meanwhile it may be a little off, while the rows shown are always the right ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db.models import BigIntegerField, BooleanField, DateTimeField, F, Func, QuerySet, Value

from recruitee.paging import MAX_ID

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Our own cursors are under 100 characters; anything much longer is not one, and is not worth unsigning.
_MAX_TOKEN = 200
OLDER, NEWER = "o", "n"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: the rows older (or newer) than the row with this key."""

    direction: str  # OLDER or NEWER
    created_at: datetime
    pk: int
    # The place in the list (1 = the newest) of the first row of the page this leads to: for the pager's words only.
    position: int

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.created_at, self.pk)


def _salt(company_id: int) -> str:
    return f"mailbox.sent-cursor.{company_id}"


def cursor_token(cursor: Cursor, *, company_id: int) -> str:
    micros = (cursor.created_at - _EPOCH) // _MICROSECOND  # exact, unlike a float timestamp
    return signing.Signer(salt=_salt(company_id)).sign_object([cursor.direction, micros, cursor.pk, cursor.position])


def read_cursor(token: str | None, *, company_id: int) -> Cursor | None:
    """The cursor a link carries, or None for none, a tampered one, or one made for another company."""
    if not token or len(token) > _MAX_TOKEN:
        return None
    try:
        direction, micros, pk, position = signing.Signer(salt=_salt(company_id)).unsign_object(token)
        valid = (direction in (OLDER, NEWER) and all(type(n) is int for n in (micros, pk, position))
                 and 0 < pk <= MAX_ID and 0 < position <= MAX_ID)
        return Cursor(direction, _EPOCH + micros * _MICROSECOND, pk, position) if valid else None
    except (signing.BadSignature, ValueError, TypeError, OverflowError):
        # BadSignature: forged or foreign; the rest: a payload of another shape (only a leaked key could sign it).
        return None


def _row_compare(created_at: datetime, pk: int, operator: str) -> Func:
    """`(created_at, id) < (%s, %s)`: a row comparison, which PostgreSQL takes into the index condition. The
    equivalent `created_at < x OR (created_at = x AND id < y)` it cannot, and rows sharing a timestamp would be
    read and dropped one by one."""
    row = Func(F("created_at"), F("id"), function="")
    key = Func(Value(created_at, output_field=DateTimeField()), Value(pk, output_field=BigIntegerField()), function="")
    return Func(row, key, template="%(expressions)s", arg_joiner=f" {operator} ", output_field=BooleanField())


@dataclass
class KeysetPage:
    rows: list
    position: int  # of the first row, 1 = the newest
    count: int  # matches counted, at most count_limit + 1
    count_limit: int
    has_newer: bool
    has_older: bool
    # What the Newer / Older links carry as `cursor`.
    newer_cursor: str = ""
    older_cursor: str = ""

    @property
    def count_capped(self) -> bool:
        """More match than were counted: the pager then says "of many"."""
        return self.count > self.count_limit

    @property
    def last_position(self) -> int:
        return self.position + len(self.rows) - 1

    @property
    def is_first(self) -> bool:
        return not self.has_newer

    @property
    def has_other_pages(self) -> bool:
        return self.has_newer or self.has_older


class KeysetPaginator:
    """Pages of a queryset ordered newest first by (created_at, id), in two queries whatever the depth.

    The count stops at `count_limit` + 1 (a word in every subject would otherwise count the whole table on each
    keystroke). Each page reads one row more than it shows, to know whether another follows; only the shown rows'
    ids are then loaded with their details (`load`).

    `collect` (for searches): the count brings the ids it counted, in order. When they are no more than the limit,
    the page is cut from them: a rare word costs one search (through the trigram indexes) and a lookup by primary
    key, never a second plan that might walk the date index through all 100,000 messages to find a handful. (Ids
    only: a thousand timestamps cost psycopg several milliseconds to read; the cursor's row is found by its id.)
    """

    def __init__(self, messages: QuerySet, per_page: int, *, company_id: int,
                 load: Callable[[QuerySet | list[int]], QuerySet], count_limit: int, collect: bool = False):
        self.messages = messages
        self.per_page = per_page
        self.company_id = company_id
        self.load = load
        self.count_limit = count_limit
        self.collect = collect

    def page(self, cursor: Cursor | None) -> KeysetPage:
        matches = None
        if self.collect:
            matches = list(self.messages.values_list("pk", flat=True)[: self.count_limit + 1])
            count = len(matches)
            if count > self.count_limit:
                matches = None
        else:
            # Any count_limit + 1 matches will do (recruitee.paging.IdsFirstPaginator.count says why unordered).
            count = self.messages.values("pk").order_by()[: self.count_limit + 1].count()
        # A cursor whose row no longer matches (deleted, or the search changed) is placed by its key below instead.
        if matches is not None and (cursor is None or cursor.pk in matches):
            return self._from_matches(matches, cursor, count)
        if cursor is None:
            return self._first(count)
        if cursor.direction == OLDER:
            ids = self.messages.filter(_row_compare(*cursor.key, "<")).values("pk")[: self.per_page + 1]
            rows = list(self.load(ids))
            return self._page(rows[: self.per_page], max(cursor.position, 2), count, has_newer=True,
                              has_older=len(rows) > self.per_page)
        # Newer: the rows just above the boundary, read upwards (the same index, backwards).
        ids = (self.messages.filter(_row_compare(*cursor.key, ">")).order_by("created_at", "id")
               .values("pk")[: self.per_page + 1])
        rows = list(self.load(ids))  # newest first, like every page
        if len(rows) > self.per_page:
            return self._page(rows[1:], max(cursor.position, 2), count, has_newer=True, has_older=True)
        if len(rows) == self.per_page:
            return self._page(rows, 1, count, has_newer=False, has_older=True)
        # Fewer than a page above it (the top of the list has moved since): the first page, full.
        return self._first(count)

    def _first(self, count: int) -> KeysetPage:
        rows = list(self.load(self.messages.values("pk")[: self.per_page + 1]))
        return self._page(rows[: self.per_page], 1, count, has_newer=False, has_older=len(rows) > self.per_page)

    def _from_matches(self, matches: list[int], cursor: Cursor | None, count: int) -> KeysetPage:
        """Every match is known, newest first, the cursor's row among them: the page is a slice, its place exact."""
        start = 0
        if cursor is not None:
            edge = matches.index(cursor.pk)
            start = edge + 1 if cursor.direction == OLDER else max(edge - self.per_page, 0)
        shown = matches[start : start + self.per_page]
        rows = list(self.load(shown)) if shown else []
        return self._page(rows, start + 1, count, has_newer=start > 0, has_older=start + self.per_page < len(matches))

    def _page(self, rows: list, position: int, count: int, *, has_newer: bool, has_older: bool) -> KeysetPage:
        if count <= self.count_limit:
            # Every match was counted: a place carried in a link made before some were deleted cannot lie past the end.
            position = max(1 if not has_newer else 2, min(position, count - len(rows) + 1))
        page = KeysetPage(rows=rows, position=position, count=count, count_limit=self.count_limit,
                          has_newer=has_newer, has_older=has_older)
        # Newer carries a cursor even just below the top: mail that arrived meanwhile is then shown next, not
        # skipped by a jump to the first page.
        if has_newer and rows:
            first = rows[0]
            page.newer_cursor = cursor_token(
                Cursor(NEWER, first.created_at, first.pk, max(position - self.per_page, 1)), company_id=self.company_id
            )
        if has_older and rows:
            last = rows[-1]
            page.older_cursor = cursor_token(Cursor(OLDER, last.created_at, last.pk, position + len(rows)),
                                             company_id=self.company_id)
        return page
