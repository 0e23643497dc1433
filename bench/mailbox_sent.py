"""Server time of the Sent tab with 100,000 messages: `make bench`, or `.venv/bin/python bench/mailbox_sent.py`.

Builds a throwaway test database (SQLite file, or `test_<name>` on PostgreSQL when DATABASE_URL says so), fills it
with MESSAGES outbox rows, then requests the Sent tab in-process through the whole Django stack (middleware, tenant
scope, queries, templates) and reports the time per request and the number of queries. Prints a table and writes
bench/results/mailbox.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recruitee.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
RESULTS = ROOT / "bench" / "results" / "mailbox.json"


def seed():
    from django_scopes import scope

    from recruitee.recruiting.models import Candidate
    from recruitee.tenancy.models import Company, Role
    from tests.conftest import make_member
    from tests.mailbox.factories import bulk_messages

    acme = Company.objects.create(name="Acme Inc.", slug="acme", time_zone="Europe/Berlin")
    owner = make_member(acme, "owner@acme.test", Role.ADMIN, "Olivia Owner")
    recruiter = make_member(acme, "recruiter@acme.test", Role.RECRUITER, "Rita Recruiter")
    with scope(company=acme):
        candidate = Candidate.objects.create(company=acme, full_name="Wile E. Coyote", email="wile@example.com")
    started = time.perf_counter()
    mine = MESSAGES * 9 // 10
    bulk_messages(owner, candidate, mine)
    bulk_messages(recruiter, candidate, MESSAGES - mine, offset=mine)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE mailbox_message")  # the steady state autovacuum keeps
    print(f"{MESSAGES:,} messages written in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(owner.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client, candidate


def scenarios(candidate) -> list[tuple[str, str, dict]]:
    last_page = -(-MESSAGES // 25)
    return [
        ("Mine, page 1", "/acme/mailbox/sent/", {}),
        ("Everyone, page 1", "/acme/mailbox/sent/?who=everyone", {}),
        ("Everyone, last page", f"/acme/mailbox/sent/?who=everyone&page={last_page}", {}),
        ("Failed only", "/acme/mailbox/sent/?who=everyone&status=failed", {}),
        ("About one candidate", f"/acme/mailbox/sent/?who=everyone&candidate={candidate.pk}", {}),
        ("Search (htmx results)", "/acme/mailbox/sent/?who=everyone&q=follow-up+%2342424",
         {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}),
    ]


def measure(client: Client, url: str, headers: dict) -> dict:
    for _ in range(3):  # warm caches, templates, connections
        assert client.get(url, **headers).status_code == 200, url
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, **headers)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, **headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return {
        "queries": len(queries), "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2), "min_ms": round(timings[0], 2),
        "runs": RUNS,
    }


def main() -> int:
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        client, candidate = seed()
        rows = []
        for name, url, headers in scenarios(candidate):
            rows.append({"name": name, "url": url, **measure(client, url, headers)})
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    print(f"\nSent tab, {MESSAGES:,} messages, {connection.vendor}, {RUNS} requests each (in-process server time)\n")
    print(f"{'scenario':<24} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
    for row in rows:
        print(f"{row['name']:<24} {row['queries']:>7} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
              f"{row['min_ms']:>8.1f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "mailbox Sent tab", "messages": MESSAGES, "database": connection.vendor,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
        "django": django.get_version(), "machine": platform.machine(), "results": rows,
    }, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
