"""Reading a big calendar's pages in the sync's worker processes (worker.py), from the syncing process's side.

The syncing process keeps the HTTP (with its errors, retries and token refreshes, exactly as without the workers)
and the database; the workers turn each page's body into what the database is sent, in turn, so that two pages are
read at once. The syncing process keeps each page's body until the worker's answer for it is in: whenever a worker
cannot answer (it failed to start, died, took too long, garbled its answer, or could not read the page), the page
is read here instead, with the same functions, so the sync stores the same rows and raises the same errors as it
would without the workers. A worker that failed once is not asked again during the sync.
"""

import fcntl
import itertools
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from ..providers.base import EventData, Page
from .normalize import event_sizes, known_zones
from .rows import PreparedPage
from .worker import frame_start, read_frame

logger = logging.getLogger(__name__)

# Where `python -m calendars.sync.worker` finds our packages, wherever the syncing process was started from.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# How long an answer of the worker may take (a page takes well under a second) before the worker is given up.
ANSWER_SECONDS = 60.0
# Pipes big enough for a page's body in a few writes rather than one per 64 KB (Linux; the largest allowed size
# without privileges, by default).
PIPE_BYTES = 1 << 20

# After this many pages in a row too small to COPY, a calendar's pages are no longer sent to the worker.
SMALL_PAGES_IN_A_ROW = 3
# A page read here, from its body: (the page normalised, the same made ready to write).
ReadHere = Callable[[bytes], tuple[Page, PreparedPage]]


class _Answer:
    """What the worker answers about one page: where the next page is, then the page (or that it could not)."""

    def __init__(self) -> None:
        self.links_in, self.page_in = threading.Event(), threading.Event()
        self.links: tuple[str, str] | None = None
        self.page: tuple[dict, bytes] | None = None

    def take(self, head: dict, payload: bytes) -> bool:
        """A frame of the worker's about this page; True once the answer is complete."""
        if "links" in head:
            self.links = tuple(head["links"])
            self.links_in.set()
            return False
        if "page" in head:
            self.page = (head["page"], payload)
        self.end()
        return True

    def end(self) -> None:
        """Nothing more will come (whatever did not come will not)."""
        self.links_in.set()
        self.page_in.set()


class PageWorker:
    """One worker process, started at once (its start-up overlaps the pages read meanwhile in the syncing process)
    and used by every calendar of one sync; `close` ends it. Thread-safe: the prefetch threads of several calendars
    may send pages at once (the worker answers them in order)."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.failed = self._closing = False
        self.pages = 0  # pages it read (for the log)
        # The answers awaited, in the order the pages were sent; `_lock` guards them and `failed`, `_sending` keeps
        # one page's frame together.
        self._answers: deque[_Answer] = deque()
        self._lock, self._sending = threading.Lock(), threading.Lock()
        try:
            self._process = subprocess.Popen(  # noqa: S603 — our own module, run by this very interpreter
                [sys.executable or "python3", "-m", "calendars.sync.worker",
                 json.dumps({"sizes": event_sizes(), "zones": sorted(known_zones())})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=PROJECT_ROOT,
            )
        except OSError as error:
            logger.warning("Could not start the sync's worker process (%s); reading pages in process", error)
            self.failed, self._process = True, None
            return
        for pipe in (self._process.stdin, self._process.stdout):
            try:
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            except (OSError, AttributeError):  # not Linux, or a lower limit: the default size works, more slowly
                pass
        # Written to directly (see _write), without the file object's buffer.
        self._input = self._process.stdin.fileno()
        os.set_blocking(self._input, False)
        self._reader = threading.Thread(target=self._read_answers, name="calendar-sync-worker-answers", daemon=True)
        self._reader.start()

    def usable(self) -> bool:
        return self.ready.is_set() and not self.failed

    def send(self, job: dict, content: bytes) -> _Answer | None:
        """Send a page's body to be read; None when the worker cannot take it."""
        answer = _Answer()
        with self._sending:
            with self._lock:
                if self.failed:
                    return None
                self._answers.append(answer)  # before writing: the answer may come before the write returns
            try:
                self._write(frame_start(job, content), content)
            except TimeoutError:
                self._give_up(f"it took no page in {ANSWER_SECONDS:.0f} s")
                return None
            except (OSError, ValueError):  # the worker is gone (a broken pipe), or closed
                self._give_up("it stopped taking pages")
                return None
        return answer

    def _write(self, *parts: bytes) -> None:
        # Written as the worker takes it, never waiting longer than an answer may take: a worker stuck on a page
        # must not leave the prefetch thread stuck with it.
        deadline = time.monotonic() + ANSWER_SECONDS
        for part in parts:
            rest = memoryview(part)
            while rest:
                if not select.select([], [self._input], [], max(0.0, deadline - time.monotonic()))[1]:
                    raise TimeoutError
                rest = rest[os.write(self._input, rest):]

    def links(self, answer: _Answer) -> tuple[str, str] | None:
        """Where the page after the answer's is (next page, cursor); None when the worker cannot say."""
        return answer.links if self._wait(answer.links_in) else None

    def page(self, answer: _Answer) -> tuple[dict, bytes] | None:
        """What the worker made of the page: (counts and ids, COPY rows); None when it could not read it."""
        return answer.page if self._wait(answer.page_in) else None

    def _wait(self, arrived: threading.Event) -> bool:
        if arrived.wait(ANSWER_SECONDS):
            return True
        self._give_up(f"no answer about a page in {ANSWER_SECONDS:.0f} s")
        return False

    def _read_answers(self) -> None:
        stdout = self._process.stdout
        try:
            while (frame := read_frame(stdout)) is not None:
                head, payload = frame
                if head.get("ready"):
                    self.ready.set()
                    continue
                if "error" in head:
                    logger.info("The sync's worker could not read a page (%s); reading it in process", head["error"])
                with self._lock:
                    if self._answers and self._answers[0].take(head, payload):
                        self._answers.popleft()
                        if "page" in head:
                            self.pages += 1
        except (OSError, ValueError) as error:  # closed under us, or a frame that came garbled
            if not self._closing:
                self._give_up(f"its answers could not be read: {error}")
        self._give_up("it stopped", quietly=self._closing)

    def _give_up(self, why: str, *, quietly: bool = False) -> None:
        with self._lock:
            if not self.failed and not quietly:
                logger.warning("The sync's worker process failed (%s); reading pages in process", why)
            self.failed = True
            # Whoever waits for an answer gets none, and reads its page itself.
            while self._answers:
                self._answers.popleft().end()
        if self._process.poll() is None:
            self._process.kill()

    def close(self) -> None:
        """End the worker (closing its input ends it; killed if it does not) and wait for it: no zombie stays."""
        if self._process is None:
            return
        self._closing = True
        if not self.ready.is_set():  # still starting: not worth waiting for
            self._process.kill()
        elif self._sending.acquire(timeout=1):
            try:
                self._process.stdin.close()
            finally:
                self._sending.release()
        else:  # a page is on its way in (and the worker is not taking it)
            self._process.kill()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        for pipe in (self._process.stdin, self._process.stdout):
            try:
                pipe.close()
            except OSError:  # nothing was left to write; a broken pipe says only that the worker is gone
                pass
        self.failed = True


class WorkedEvents(Sequence[EventData]):
    """The events of a page the worker read, as far as the syncing process needs them: how many there are and their
    ids. The events themselves are read again here only if something asks for them (a page the database refused,
    written event by event)."""

    def __init__(self, count: int, ids: list[str], events: Callable[[], list[EventData]]):
        self._count, self.ids, self._events = count, ids, events

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self._events()[index]

    def __iter__(self) -> Iterator[EventData]:
        return iter(self._events())


def event_ids(events: Sequence[EventData]) -> list[str]:
    """The provider ids of a page's events, without reading a worker's page again."""
    ids = getattr(events, "ids", None)
    return ids if ids is not None else [event.provider_event_id for event in events]


class _ReadAgain:
    """A worker's page read here after all, once, when its events are asked for."""

    def __init__(self, read_here: ReadHere, content: bytes):
        self._read_here, self._content = read_here, content

    @cached_property
    def _read(self) -> tuple[Page, PreparedPage]:
        return self._read_here(self._content)

    def page_events(self) -> list[EventData]:
        return list(self._read[0].events)

    def unique_events(self) -> list[EventData]:
        return list(self._read[1].events)


def _worked_page(answer: tuple[dict, bytes], links: tuple[str, str], read_here: ReadHere, content: bytes,
                 job: dict) -> tuple[Page, PreparedPage]:
    head, rows = answer
    for name, level, message in head["logs"]:
        logging.getLogger(name).log(level, "%s", message)
    again = _ReadAgain(read_here, content)
    page = Page(events=WorkedEvents(head["events"], head["ids"], again.page_events),
                removed_ids=head["removed_ids"], next_page=links[0], cursor=links[1], skipped=head["skipped"])
    prepared = PreparedPage(job["ids"]["calendar_id"], job["ids"]["generation"],
                            WorkedEvents(head["unique"], head["ids"], again.unique_events), rows)
    return page, prepared


def offloaded_pages(*, fetch: Callable[[str], bytes], read_here: ReadHere, first_page: str,
                    worker: Callable[[int], PageWorker | None], job: dict) -> Iterator[tuple[Page, PreparedPage]]:
    """Every page from `first_page` on, in order, as (page, prepared) — read by the workers where they can.

    `fetch` gets a page's body; `worker(events_so_far)` is the worker to send the next page to, or None (not worth it
    yet, none ready, or all failed); `job` tells the worker how to read this calendar's pages. While a worker reads a
    page, the next one is already being fetched (and, with several workers, read by another). A failure is raised
    after every page fetched before it.
    """
    token, events_read, small = first_page, 0, 0
    # The pages sent and not handed over yet, in order: (worker, answer, links, body).
    in_flight: deque[tuple[PageWorker, _Answer, tuple[str, str], bytes]] = deque()

    def finish(using: PageWorker, answer: _Answer, links: tuple[str, str], content: bytes):
        nonlocal small
        got = using.page(answer)
        if got is None or not got[0]["rows"]:
            # Not read there, or too small to COPY (what the worker is for): read here. Pages that small in a row
            # (a page size below the COPY threshold) are not sent any more.
            small += got is not None
            return read_here(content)
        small = 0
        return _worked_page(got, links, read_here, content, job)

    while True:
        try:
            content = fetch(token)
        except BaseException:
            while in_flight:
                yield finish(*in_flight.popleft())
            raise
        using = worker(events_read) if small < SMALL_PAGES_IN_A_ROW else None
        # Hand over what this worker still holds first: a worker reads its pages one after the other.
        while in_flight and (using is None or any(sent[0] is using for sent in in_flight)):
            yield finish(*in_flight.popleft())
        answer = using.send(job, content) if using is not None else None
        links = using.links(answer) if answer is not None else None
        if links is None:
            while in_flight:
                yield finish(*in_flight.popleft())
            page, prepared = read_here(content)
            events_read += len(page.events)
            yield page, prepared
            token = page.next_page
        else:
            in_flight.append((using, answer, links, content))
            token = links[0]
        if not token:
            break
    while in_flight:
        yield finish(*in_flight.popleft())


class Workers:
    """The worker processes of one sync, all started when first wanted; pages go to those that are up in turn.
    Thread-safe (the prefetch threads of several calendars share them)."""

    def __init__(self, count: int):
        self._count = count
        self._started: list[PageWorker] = []
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def next(self) -> PageWorker | None:
        with self._lock:
            if not self._started:
                self._started = [PageWorker() for _ in range(self._count)]
            up = [worker for worker in self._started if worker.usable()]
            return up[next(self._turn) % len(up)] if up else None

    @property
    def pages(self) -> int:
        return sum(worker.pages for worker in self._started)

    def close(self) -> None:
        for worker in self._started:
            worker.close()
