"""Pages of big tables: the page's ids first, then just those rows, and a count that stops at a limit."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# The largest primary key (and OFFSET) PostgreSQL's bigint holds.
MAX_ID = 2**63 - 1


class IdsFirstPaginator(Paginator):
    """Pages of a big table in two queries whatever its size.

    Deep pages stay fast: OFFSET walks only an index to find the page's ids, and just those rows are read and joined
    (Django's Paginator joins every skipped row first). The total is counted only up to `count_limit`: a search word
    found in every row would otherwise make each keystroke count the whole table. Past the limit the pager says
    "1,000+" and goes on page by page; a page reads one row more than it shows to know whether another follows.

    `collect` (for searches): the count also brings the ids it counted, in order. When they are no more than the
    limit, the page is cut from them: a rare word costs one search (through the trigram indexes) and a lookup by
    primary key, never a second plan that might walk the table's date index through every row to find a handful.
    """

    def __init__(self, object_list: QuerySet, per_page: int, *, load: Callable[[QuerySet | list[int]], QuerySet],
                 count_limit: int, collect: bool = False):
        super().__init__(object_list, per_page)
        self.load = load
        self.count_limit = count_limit
        self.collect = collect
        self._matches: list[int] | None = None
        # The last page whose OFFSET still fits PostgreSQL's bigint.
        self.max_page = MAX_ID // per_page - 1

    @cached_property
    def count(self) -> int:
        """How many match, counting no further than one past the limit."""
        if not self.collect:
            # Any count_limit + 1 matches will do, not the first ones in the list's order: unordered, PostgreSQL may
            # stop at the limit wherever it finds matches fastest (from a filter's own index, say), instead of
            # gathering them all to sort (a past interviewer's 5,000 interviews among 50,000).
            return self.object_list.values("pk").order_by()[: self.count_limit + 1].count()
        matches = list(self.object_list.values_list("pk", flat=True)[: self.count_limit + 1])
        if len(matches) <= self.count_limit:
            self._matches = matches  # every match, in the list's order
        return len(matches)

    @property
    def count_capped(self) -> bool:
        """More match than were counted: `count` and `num_pages` are then lower bounds."""
        return self.count > self.count_limit

    def validate_number(self, number) -> int:
        try:
            return super().validate_number(number)
        except EmptyPage:
            # Past the pages counted there may well be more; `page` finds out.
            if self.count_capped and 1 <= int(number) <= self.max_page:
                return int(number)
            raise

    def page(self, number) -> Page:
        number = self.validate_number(number)
        first = (number - 1) * self.per_page
        if self._matches is not None:
            ids = self._matches[first : first + self.per_page + 1]
            rows = list(self.load(ids[: self.per_page])) if ids else []
            return _KnownNextPage(rows, number, self, has_next=len(ids) > self.per_page)
        rows = list(self.load(self.object_list.values("pk")[first : first + self.per_page + 1]))
        return _KnownNextPage(rows[: self.per_page], number, self, has_next=len(rows) > self.per_page)


class _KnownNextPage(Page):
    """A page that knows whether another follows without knowing how many pages there are."""

    def __init__(self, object_list: list, number: int, paginator: Paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next
