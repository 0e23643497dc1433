"""What the in-process page benchmarks share: Django on a throwaway database, and the server time of one URL.

    from bench.inprocess import setup_django
    setup_django()  # before anything imports Django models
    ...
    with throwaway_database("pages"):
        figures = measure_page(client, url, runs=30)

Requests go through the whole Django stack (middleware, tenant scope, queries, templates) without a network.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.roles import ensure_roles

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """The test settings on PostgreSQL: DATABASE_URL, else BENCH_DATABASE_URL, else the local server's postgres."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitee.settings.test")
    os.environ.setdefault("DATABASE_URL", os.environ.get("BENCH_DATABASE_URL",
                                                         "postgres://postgres@127.0.0.1:5432/postgres"))
    import django

    django.setup()
    from recruitee.startup import settle_for_requests

    settle_for_requests()  # as recruitee/wsgi.py does in a web process


@contextmanager
def throwaway_database(label: str) -> Iterator[None]:
    """A migrated database of this run's own (never another run's, nor a test run's test_<name>), dropped after."""
    from django.conf import settings
    from django.db import connection

    # Not setup_test_environment(): it makes every template render send a signal that the test client answers
    # by copying the context — a cost no production request pays (it was a third of a Sent page's time). Only
    # the test client's host name must be admitted.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        ensure_roles(os.environ["DATABASE_URL"])
        connection.settings_dict["TEST"]["NAME"] = f"recruitee_bench_{label}_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(len(sorted_values) * share) - 1)]


class ResponseClock:
    """When the test client's last response was ready: the moment a WSGI server starts sending it.

    The client then closes the response at once, which runs what Django does once a real server has sent the whole
    body (the request_finished signal: our backend returns a kept connection to no tenant). The person waiting has
    the page by then, so a page's time ends here:

        clock = ResponseClock.of(client)
        started = time.perf_counter()
        client.get(url)
        taken = clock.ready - started
    """

    @classmethod
    def of(cls, client) -> ResponseClock:
        """The client's clock, put on it the first time."""
        if not hasattr(client, "response_clock"):
            client.response_clock = cls(client)
        return client.response_clock

    def __init__(self, client):
        self.ready = 0.0
        get_response = client.handler.get_response

        def timed(request):
            response = get_response(request)
            self.ready = time.perf_counter()
            return response

        client.handler.get_response = timed


def measure_page(client, url: str, *, runs: int, headers: dict | None = None) -> dict:
    """Server time of `url` over `runs` requests after a warm-up: p50/p95/min, queries, HTML size, time in SQL."""
    from django.db import connection

    headers = headers or {}
    for _ in range(3):  # warm caches, templates, connections
        assert client.get(url, **headers).status_code == 200, url
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        size = len(client.get(url, **headers).content)
    timings, sql_timings, in_sql = [], [], [0.0]

    def time_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            in_sql[0] += time.perf_counter() - started

    clock = ResponseClock.of(client)
    with connection.execute_wrapper(time_sql):
        for _ in range(runs):
            in_sql[0] = 0.0
            started = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((clock.ready - started) * 1000)
            sql_timings.append(in_sql[0] * 1000)
            assert response.status_code == 200, url
    timings.sort()
    return {
        "queries": len(queries), "html_kb": round(size / 1024, 1), "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2), "min_ms": round(timings[0], 2),
        # The part of the request spent waiting for the database; the rest is Django and the templates.
        "sql_p50_ms": round(statistics.median(sql_timings), 2), "runs": runs,
    }


def side_by_side(small: dict, large: dict, name: str, *, runs: int) -> tuple[float, float]:
    """The page `name` of two seeded companies ({"slug", "client", "urls"}): its p50 for the shorter and the longer
    history, measured in turns (a few requests of one, then of the other, the first alternating): this machine's
    speed drifts more between one minute and the next than a growth allowance, so two figures measured one after the
    other would compare the minutes, not the histories."""
    taken: dict[str, list[float]] = {small["slug"]: [], large["slug"]: []}
    for turn in range(max(1, runs // 3)):
        for company in (small, large) if turn % 2 == 0 else (large, small):
            clock = ResponseClock.of(company["client"])
            for _ in range(3):
                started = time.perf_counter()
                assert company["client"].get(company["urls"][name]).status_code == 200, name
                taken[company["slug"]].append((clock.ready - started) * 1000)
    return (round(statistics.median(taken[small["slug"]]), 2), round(statistics.median(taken[large["slug"]]), 2))


# A page whose history grew tenfold or more may cost this much more at the median (p95 is too noisy on a shared
# 2-core machine to compare two runs by), and not one query more.
GROWTH_ALLOWANCE = 1.25
GROWTH_SLACK_MS = 3
GROWTH_BUDGET = f"the same queries, p50 at most {GROWTH_ALLOWANCE}x + {GROWTH_SLACK_MS} ms"


def growth_check(small: dict, large: dict, name: str, queries: tuple[int, int], *, runs: int) -> dict:
    """The page `name` with the shorter and the longer history (see side_by_side), against GROWTH_BUDGET;
    `queries`: its queries with each, as measure_page counted them."""
    p50_before, p50_after = side_by_side(small, large, name, runs=runs)
    limit = p50_before * GROWTH_ALLOWANCE + GROWTH_SLACK_MS
    return {"name": name, "queries": list(queries), "p50_ms": [p50_before, p50_after], "p50_limit_ms": round(limit, 2),
            "met": queries[1] == queries[0] and p50_after <= limit}


def print_growth(growth: list[dict], width: int) -> None:
    for row in growth:
        print(f"{row['name']:<{width}} queries {row['queries'][0]:>3} -> {row['queries'][1]:<3} p50 "
              f"{row['p50_ms'][0]:>6.1f} -> {row['p50_ms'][1]:>6.1f} ms (limit {row['p50_limit_ms']:.1f})  "
              f"{'OK' if row['met'] else 'MISSED'}")


def write_results(path: Path, *, benchmark: str, budget: str, runs: int, **figures) -> None:
    """bench/results/<name>.json: the figures with what they were measured on."""
    import json
    import platform
    from datetime import UTC, datetime

    import django
    from django.db import connection

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "benchmark": benchmark, "database": connection.vendor, "runs": runs, "budget": budget,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
        "django": django.get_version(), "machine": platform.machine(), **figures,
    }, indent=2) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT)}")
