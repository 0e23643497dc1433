"""CPU time of the pure slot computation: `.venv/bin/python bench/self_schedule_slots.py`. No database, and of
Django only the settings that `gettext` reads (the reasons for an empty day are translated strings).

A panel of 3 (Europe/Berlin, Europe/London, Europe/Lisbon; load limits set, some interviews already booked),
each with BENCH_EVENTS_PER_PERSON busy intervals (default 20,000), and a window of 10 working days
(Monday 2027-03-15 to Friday 2027-03-26, Europe/Berlin) with a one-hour interview on the 30-minute grid:
  * "history": about 5 entries a day over ~4,000 days around the window, as a synced calendar holds them (the read
    of slot_inputs.py is bounded by the window, but the function must not depend on that): issue 12's case;
  * "history + pool": the same panel and any 2 of a pool of 4 more people, 20,000 entries each;
  * "dense": all 20,000 inside the window's fortnight (about 1,400 a day, overlapping), a stress of the sort and
    merge that no real calendar reaches: reported, not held to the budget.
Reports p50 and p95 of CPU time (time.process_time) per call over BENCH_RUNS calls, after a warm-up, and the
budget with its verdict (exit status 1 when over): the computation's share of issue 12's 100 ms for the request.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

from bench.inprocess import percentile  # noqa: E402  (stdlib only at import time)
from scheduling.slots import Person, Rules, compute_slots  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
EVENTS_PER_PERSON = int(os.environ.get("BENCH_EVENTS_PER_PERSON", "20000"))
# Untranslated: the reasons stay English, and gettext needs neither the app registry nor the catalogues.
settings.configure(USE_I18N=False)
BUDGET_MS = 50  # p95 CPU time of compute_slots alone
FIRST_DAY, LAST_DAY = date(2027, 3, 15), date(2027, 3, 26)
ZONES = ["Europe/Berlin", "Europe/London", "Europe/Lisbon", "America/New_York", "Europe/Paris", "Europe/Berlin",
         "Europe/Berlin"]
NAMES = ["Dana Scott", "Eli Jones", "Fay Wong", "Gus Hale", "Hana Ito", "Ivo Klar", "Jo Lund"]


def busy(rng: random.Random, zone: ZoneInfo, first: date, days: int, count: int) -> tuple:
    """`count` entries over `days` days from `first`: meetings of 15 min to 2 h between 07:00 and 20:00 local,
    one in 20 an all-day entry."""
    found = []
    for _ in range(count):
        day = first + timedelta(days=rng.randrange(days))
        if rng.random() < 0.05:
            midnight = datetime.combine(day, clock(0), tzinfo=zone)
            found.append((midnight.astimezone(UTC), (midnight + timedelta(days=1)).astimezone(UTC)))
            continue
        start = datetime.combine(day, clock(7), tzinfo=zone) + timedelta(minutes=15 * rng.randrange(52))
        end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 60, 90, 120)))
        found.append((start.astimezone(UTC), end.astimezone(UTC)))
    return tuple(found)


def person(n: int, *, dense: bool) -> Person:
    rng = random.Random(n)
    zone = ZoneInfo(ZONES[n])
    if dense:
        entries = busy(rng, zone, FIRST_DAY - timedelta(days=1), 14, EVENTS_PER_PERSON)
    else:
        # ~5 a day (room is left in working hours, so there are slots to offer), the window near the end.
        days = max(14, EVENTS_PER_PERSON // 5)
        entries = busy(rng, zone, FIRST_DAY - timedelta(days=days * 9 // 10), days, EVENTS_PER_PERSON)
    booked = tuple(datetime.combine(FIRST_DAY + timedelta(days=d), clock(10 + d % 5), tzinfo=zone) for d in (0, 2, 7))
    return Person(id=n + 1, name=NAMES[n], zone=ZONES[n], working_weekdays=frozenset({1, 2, 3, 4, 5}),
                  work_start=clock(9), work_end=clock(17), busy=entries, interview_starts=booked,
                  max_per_day=2, max_per_week=8,
                  last_interview_at=datetime(2027, 3, 1, 9, tzinfo=UTC) + timedelta(days=n))


def measure(panel: list[Person], pool: list[Person], pool_needed: int, rules: Rules) -> dict:
    for _ in range(3):
        result = compute_slots(panel=panel, pool=pool, pool_needed=pool_needed, rules=rules)
    timings = []
    for _ in range(RUNS):
        started = time.process_time()
        compute_slots(panel=panel, pool=pool, pool_needed=pool_needed, rules=rules)
        timings.append((time.process_time() - started) * 1000)
    timings.sort()
    return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "slots": len(result.slots),
            "empty": len(result.empty_days),
            "events": sum(len(p.busy) for p in [*panel, *pool])}


def main() -> None:
    rules = Rules(first_day=FIRST_DAY, last_day=LAST_DAY, zone="Europe/Berlin", duration=timedelta(hours=1),
                  now=datetime(2027, 3, 12, 12, tzinfo=UTC), buffer_before=timedelta(minutes=10),
                  buffer_after=timedelta(minutes=10))
    history = [person(n, dense=False) for n in range(7)]
    cases = {  # label -> panel, pool, pool_needed, held to the budget
        "history (panel of 3)": (history[:3], [], 0, True),
        "history + pool (3 + any 2 of 4)": (history[:3], history[3:], 2, True),
        "dense (panel of 3; stress)": ([person(n, dense=True) for n in range(3)], [], 0, False),
    }
    print(f"compute_slots, {FIRST_DAY} to {LAST_DAY} (10 working days), {RUNS} runs, CPU ms; "
          f"budget p95 <= {BUDGET_MS} ms")
    print(f"{'case':34} {'events':>8} {'slots':>6} {'empty':>6} {'p50':>8} {'p95':>8}  verdict")
    for label, (panel, pool, needed, budgeted) in cases.items():
        figures = measure(panel, pool, needed, rules)
        ok = figures["p95"] <= BUDGET_MS
        verdict = ("ok" if ok else "OVER BUDGET") if budgeted else "(no budget)"
        print(f"{label:34} {figures['events']:>8} {figures['slots']:>6} {figures['empty']:>6} "
              f"{figures['p50']:>8.2f} {figures['p95']:>8.2f}  {verdict}")
    # A report, like the other benchmarks: a missed budget shows as OVER BUDGET and `make bench` goes on.


if __name__ == "__main__":
    main()
