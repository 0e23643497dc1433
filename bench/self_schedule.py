"""Server time of a scheduling link's slots: `make bench`, or `.venv/bin/python bench/self_schedule.py`.

A panel of three interviewers, each with 20,000 synced events (about 20 a day over ~1,000 days around the window),
a 10-working-day window: the slots the candidate's page offers, computed from the database (the events, the
interviews, the load and the connections of the three) and the pure slot computation. Issue 12's budget: a
constant number of queries and p95 < 100 ms. The same with 10 times the history outside the window shows the
query count stays the same.

Measures the service the public page calls (scheduling.self_scheduling.offered_slots) and, when the public page
exists, the page itself through the whole Django stack.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inprocess import percentile, setup_django, throwaway_database  # noqa: E402

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.pages import PER_DAY, copy_events  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
EVENTS_PER_PERSON = int(os.environ.get("BENCH_EVENTS_PER_PERSON", "20000"))
BUDGET_MS = 100
PANEL = ["Dana Panel", "Lee Panel", "Omar Panel"]
TOKEN = "bench-token-self-schedule-0123456789abcdef"


def seed(slug: str, *, events_per_person: int) -> object:
    from django_scopes import scope

    from recruitee.recruiting.models import Candidate
    from recruitee.tenancy.models import Company, Role
    from scheduling.models import SchedulingRequest, SchedulingRequestMember
    from scheduling.self_scheduling import default_window, token_hash
    from tests.calendars.factories import connected_calendar
    from tests.conftest import make_member

    company = Company.objects.create(name=slug.title(), slug=slug, time_zone="Europe/Berlin")
    owner = make_member(company, f"owner@{slug}.test", Role.ADMIN, "Olivia Owner")
    panel = [make_member(company, f"{name.split()[0].lower()}@{slug}.test", Role.INTERVIEWER, name)
             for name in PANEL]
    first_day, last_day = default_window(today=timezone.localdate())
    days_before = events_per_person // PER_DAY * 2 // 3
    days = [first_day - timedelta(days=days_before) + timedelta(days=n) for n in range(events_per_person // PER_DAY)]
    for index, member in enumerate(panel):
        copy_events(company, connected_calendar(member), days, 2000 + index, f"{slug}-{index}")
    with scope(company=company):
        candidate = Candidate.objects.create(company=company, full_name="Wile E. Coyote", email="wile@example.com",
                                             time_zone="Asia/Tokyo")
        request = SchedulingRequest.objects.create(
            company=company, candidate=candidate, organizer=owner, title="Interview", duration_minutes=60,
            first_day=first_day, last_day=last_day, time_zone="Europe/Berlin", notice_minutes=0,
            token_hash=token_hash(f"{company.pk}-{TOKEN}"), sent_at=timezone.now(),
        )
        SchedulingRequestMember.objects.bulk_create([
            SchedulingRequestMember(company=company, request=request, member=member,
                                    role=SchedulingRequestMember.Role.PANEL) for member in panel
        ])
    return request


def measure_service(request) -> dict:
    from django_scopes import scope

    from scheduling.self_scheduling import offered_slots

    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with scope(company=request.company):
        for _ in range(3):
            slots = offered_slots(request)
        with connection.execute_wrapper(count):
            offered_slots(request)
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            offered_slots(request)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"queries": len(queries), "slots": len(slots), "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2)}


def measure_public_page(company_id: int) -> dict | None:
    try:
        url = reverse("booking:page", kwargs={"token": f"{company_id}-{TOKEN}"})
    except NoReverseMatch:
        return None
    from bench.inprocess import measure_page

    figures = measure_page(Client(), f"{url}?tz=Asia/Tokyo", runs=RUNS)
    return {"queries": figures["queries"], "p50_ms": figures["p50_ms"], "p95_ms": figures["p95_ms"]}


def main() -> int:
    logging.disable(logging.INFO)
    if connection.vendor != "postgresql":
        print("bench/self_schedule.py measures PostgreSQL's plans: set DATABASE_URL or BENCH_DATABASE_URL.")
        return 0
    with throwaway_database("selfschedule"):
        started = time.perf_counter()
        requests = {"20k per person": seed("panel", events_per_person=EVENTS_PER_PERSON),
                    "10x history": seed("history", events_per_person=EVENTS_PER_PERSON * 10)}
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE calendars_event")
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        print(f"\nScheduling link slots, panel of {len(PANEL)}, 10 working days, {RUNS} runs; budget p95 < "
              f"{BUDGET_MS} ms and the same queries whatever the history\n")
        rows = []
        for label, request in requests.items():
            service = measure_service(request)
            rows.append((label, "slots (service)", service))
            page = measure_public_page(request.company_id)
            if page is not None:
                rows.append((label, "candidate's page", page))
        for label, what, figures in rows:
            verdict = "OK" if figures["p95_ms"] < BUDGET_MS else "MISSED"
            print(f"{label:<16} {what:<18} queries {figures['queries']:>3}  p50 {figures['p50_ms']:>7.1f} ms  "
                  f"p95 {figures['p95_ms']:>7.1f} ms  {verdict}")
        same = {what: {figures["queries"] for label, w, figures in rows if w == what} for _, what, _ in rows}
        for what, counts in same.items():
            print(f"{what}: queries {'the same' if len(counts) == 1 else 'DIFFER'} with 10x the history "
                  f"({'OK' if len(counts) == 1 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
