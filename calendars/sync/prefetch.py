"""Fetch pages ahead of the database work, so waiting on the provider and on the database overlap.

A `Prefetcher` starts a background thread as soon as it is made; the thread does HTTP (and backoff sleeps) and
whatever CPU work a page needs before it is written, and the consuming thread does all the database work. A
one-slot queue keeps at most one page waiting, so memory stays flat however big the calendar (two or three slots
measured no faster, and cost 8 MB more at 100,000 events). Errors travel through the queue in order: everything
fetched before a failure is handed over first. Several prefetchers (one per calendar) may run at once.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..providers.base import Page

_DONE = object()


def fetched_pages(fetch: Callable[[str], Page], first_page: str,
                  prepare: Callable[[Page], Any] | None = None) -> Iterator[Any]:
    """`prepare(page)` for every page from `first_page` on (work on a page that needs no database)."""
    page = first_page
    while True:
        result = fetch(page)
        yield prepare(result) if prepare else result
        if not result.next_page:
            return
        page = result.next_page


class Prefetcher:
    """Iterates over `pages` (see fetched_pages; any iterator of pages, which may raise), run in the background
    thread: its HTTP and CPU work overlap the consumer's writing of the page before."""

    def __init__(self, pages: Iterator[Any]):
        self._pages = pages
        self._slot: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="calendar-sync-prefetch", daemon=True)
        self._thread.start()

    def _deliver(self, item) -> bool:
        # put() with a timeout, so a consumer that gave up never leaves this thread blocked forever.
        while not self._stop.is_set():
            try:
                self._slot.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _work(self) -> None:
        try:
            for item in self._pages:
                if not self._deliver(item) or self._stop.is_set():  # (stopped: fetch no further page)
                    return
        except BaseException as error:  # noqa: BLE001 — handed to the consumer, which re-raises it
            self._deliver(error)
            return
        finally:
            close = getattr(self._pages, "close", None)
            if close is not None:  # a generator left early runs its cleanup here, in its own thread
                close()
        self._deliver(_DONE)

    def __iter__(self) -> Iterator[Any]:
        try:
            while (item := self._slot.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
