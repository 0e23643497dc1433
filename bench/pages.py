"""Server time of the calendar pages: `make bench`, or `.venv/bin/python bench/pages.py`.

Builds a throwaway PostgreSQL database of its own (on the server of DATABASE_URL, else BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/postgres; see bench/inprocess.py), migrates it and loads synced events with
COPY, then requests the pages in-process through the whole Django stack (middleware, tenant scope, queries,
templates):

  * "acme": an owner and 5 teammates with 20,000 events each (about 20 a day over ~1,000 days): the week view
    showing all six, wizard step 1 with Find time for the 5 as interviewers, the Find time grid alone (htmx) and the
    interview page (its synced event found by UID);
  * "small" and "large": the same people and the same week, with 10,000 and 200,000 events OUTSIDE the window
    (the same density, a longer history): the same pages, to show the cost follows the window, not the history.

Reports p50 and p95 per page over BENCH_RUNS requests, the HTML size, the number of queries and the budget with
its verdict; then, for "small" against "large", the queries and the p50 of both measured in turns. Prints a table
and writes bench/results/pages.json.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.inprocess import (  # noqa: E402
    GROWTH_BUDGET,
    growth_check,
    measure_page,
    print_growth,
    setup_django,
    throwaway_database,
    write_results,
)

setup_django()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
EVENTS_PER_PERSON = int(os.environ.get("BENCH_EVENTS_PER_PERSON", "20000"))
OUTSIDE = [int(n) for n in os.environ.get("BENCH_OUTSIDE", "10000,200000").split(",")]
RESULTS = ROOT / "bench" / "results" / "pages.json"
BUDGET_MS = 60  # p95 server time per page (issue 11)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2030, 6, 10)  # the week shown; Wednesday 2030-06-12 is the interview day
DAY = MONDAY + timedelta(days=2)
PER_DAY = 20  # a busy calendar: about 20 entries a day, overlapping
TEAMMATES = ["Tara Teammate", "Ivan Interviewer", "Hana Hiring", "Omar Ops", "Lena Lead"]


def day_events(rng: random.Random, day: date) -> list[tuple]:
    """One person's entries of one day: meetings between 07:00 and 20:00 (5 % free), now and then an all-day one,
    every 60th day the start of a week-long holiday (longer than any narrow read's margin)."""
    rows = []
    for _ in range(PER_DAY):
        start = datetime(day.year, day.month, day.day, 7, tzinfo=BERLIN) + timedelta(minutes=15 * rng.randrange(52))
        rows.append((start, start + timedelta(minutes=rng.choice((15, 30, 45, 60, 60, 90, 120))), False,
                     rng.random() > 0.05))
    if rng.random() < 0.05:
        midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        rows.append((midnight, midnight + timedelta(days=1), True, False))
    if day.toordinal() % 60 == 0:
        midnight = datetime(day.year, day.month, day.day, tzinfo=BERLIN)
        rows.append((midnight, midnight + timedelta(days=7), True, True))
    return rows


def copy_events(company, calendar, days: list[date], seed: int, prefix: str) -> int:
    """COPY one calendar's entries of these days into calendars_event (a sync would take minutes)."""
    rng = random.Random(seed)
    columns = ("company_id, calendar_id, provider_event_id, ical_uid, title, start, \"end\", time_zone, all_day, "
               "status, is_busy, organizer_email, organizer_name, attendees, series_id, sync_generation")
    count = 0
    with connection.cursor() as cursor:
        # COPY goes past our backend, so the session keeps whatever role the last statement set (the cross-tenant
        # one after a factory's across_tenants(), which row-level security holds and which may not COPY into a
        # table under it). A statement outside any scope first puts the session back to the login role, the
        # superuser, whom the policies do not hold.
        cursor.execute("SELECT 1")
        with cursor.cursor.copy(f"COPY calendars_event ({columns}) FROM STDIN") as copy:
            for day in days:
                for start, end, all_day, busy in day_events(rng, day):
                    count += 1
                    copy.write_row((company.pk, calendar.pk, f"{prefix}-{count}", f"{prefix}-{count}@bench.test",
                                    f"Meeting {count} <b>&</b>", start, end, "Europe/Berlin", all_day, "confirmed",
                                    busy, "", "", "[]", "", 0))
    return count


def people(slug: str):
    from django_scopes import scope

    from recruitee.recruiting.models import Candidate
    from recruitee.tenancy.models import Company, Role
    from tests.calendars.factories import connected_calendar
    from tests.conftest import make_member

    company = Company.objects.create(name=slug.title(), slug=slug, time_zone="Europe/Berlin")
    owner = make_member(company, f"owner@{slug}.test", Role.ADMIN, "Olivia Owner")
    owner.user.time_zone = "Europe/Berlin"
    owner.user.save()
    teammates = [make_member(company, f"{name.split()[0].lower()}@{slug}.test", Role.RECRUITER, name)
                 for name in TEAMMATES]
    calendars = [connected_calendar(member) for member in [owner, *teammates]]
    with scope(company=company):
        candidate = Candidate.objects.create(company=company, full_name="Wile E. Coyote", email="wile@example.com")
    return company, owner, teammates, calendars, candidate


def interviews(company, owner, teammates, candidate, calendar) -> int:
    """Three interviews this week with all six; the first is in the owner's synced calendar too (with attendees'
    answers), as the calendar channel puts it there. Returns the first's id, for the interview page."""
    from django_scopes import scope

    from calendars.models import Event
    from scheduling.models import CalendarInvite, Interview, Participant

    with scope(company=company):
        first = None
        for offset, hour in ((1, 11), (2, 16), (3, 9)):
            start = datetime.combine(MONDAY + timedelta(days=offset), datetime.min.time(), tzinfo=BERLIN)
            start += timedelta(hours=hour)
            interview = Interview.objects.create(company=company, candidate=candidate, organizer=owner,
                                                 title="Interview: Wile E. Coyote", start=start,
                                                 end=start + timedelta(hours=1), time_zone="Europe/Berlin")
            for member in teammates:
                Participant.objects.create(company=company, interview=interview, role="interviewer", member=member,
                                           name=member.user.display_name, email=member.user.email,
                                           time_zone="Europe/Berlin")
            first = first or interview
        CalendarInvite.objects.create(company=company, interview=first, connection=calendar.connection,
                                      provider="google", provider_event_id="invite-1", status="created")
        Event.objects.create(company=company, calendar=calendar, provider_event_id="invite-1",
                             ical_uid=first.ical_uid, title=first.title, start=first.start, end=first.end,
                             attendees=[{"email": m.user.email, "response": "accepted"} for m in teammates])
    return first.pk


def seed_company(slug: str, *, around: int | None = None, outside: int | None = None) -> dict:
    """`around`: each person's entries on the days around the shown week; `outside`: the shown week's entries plus
    this many in all outside it, on earlier days (a longer history, the same density)."""
    company, owner, teammates, calendars, candidate = people(slug)
    week = [MONDAY + timedelta(days=offset) for offset in range(7)]
    total = 0
    for index, calendar in enumerate(calendars):
        seed = 1000 + index  # the same people have the same week in every company
        if around is not None:
            days_before = around // PER_DAY * 2 // 3
            days = [MONDAY - timedelta(days=days_before) + timedelta(days=n) for n in range(around // PER_DAY)]
            total += copy_events(company, calendar, days, seed, f"{slug}-{index}")
        else:
            total += copy_events(company, calendar, week, seed, f"{slug}-{index}-week")
            history = [MONDAY - timedelta(days=n) for n in range(2, 2 + outside // len(calendars) // PER_DAY)]
            total += copy_events(company, calendar, history, seed + 99, f"{slug}-{index}-old")
    interview_id = interviews(company, owner, teammates, candidate, calendars[0])
    client = Client()
    client.force_login(owner.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    step1 = {"kind": "interview", "title": "", "date": DAY.isoformat(), "start_time": "14:00", "duration": "60",
             "time_zone": "Europe/Berlin", "invite_candidate": "on", "location": "HQ",
             "interviewers": [m.pk for m in teammates]}
    response = client.post(f"/{slug}/candidates/{candidate.pk}/schedule/", step1)
    assert response.status_code == 302, response.content[:2000]
    draft = response["Location"].split("draft=")[1]
    with_all = "&".join(f"with={m.pk}" for m in teammates)
    picks = "&".join(f"interviewers={m.pk}" for m in teammates)
    return {
        "slug": slug, "client": client, "events": total,
        "urls": {
            "Week, owner + 5 teammates": f"/{slug}/calendar/?date={DAY}&{with_all}",
            "Step 1 with Find time, 5 interviewers": f"/{slug}/candidates/{candidate.pk}/schedule/?draft={draft}",
            "Find time grid alone (htmx)": (f"/{slug}/candidates/{candidate.pk}/schedule/find-time/?date={DAY}"
                                            f"&start_time=14:00&duration=60&time_zone=Europe/Berlin&{picks}"),
            "Interview page (event by UID)": f"/{slug}/interviews/{interview_id}/",
        },
    }


def main() -> int:
    logging.disable(logging.INFO)  # a login per company; the table is what matters
    if connection.vendor != "postgresql":
        print("bench/pages.py measures PostgreSQL's plans: set DATABASE_URL or BENCH_DATABASE_URL to PostgreSQL.")
        return 0
    with throwaway_database("pages"):
        started = time.perf_counter()
        companies = [seed_company("acme", around=EVENTS_PER_PERSON)]
        companies += [seed_company(f"history{n}", outside=n) for n in OUTSIDE]
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE calendars_event")  # the steady state autovacuum keeps
        print(f"{sum(c['events'] for c in companies):,} events loaded in {time.perf_counter() - started:.1f} s")
        rows = []
        for company in companies:
            for name, url in company["urls"].items():
                row = {"company": company["slug"], "events": company["events"], "name": name, "url": url,
                       **measure_page(company["client"], url, runs=RUNS), "budget_ms": BUDGET_MS}
                row["met"] = row["p95_ms"] < BUDGET_MS
                rows.append(row)
        small, large = (next(c for c in companies if c["slug"] == f"history{n}") for n in (OUTSIDE[0], OUTSIDE[-1]))
        growth = []
        for name in companies[0]["urls"]:
            queries = tuple(next(r["queries"] for r in rows if r["company"] == c["slug"] and r["name"] == name)
                            for c in (small, large))
            growth.append(growth_check(small, large, name, queries, runs=RUNS))

    print(f"\nCalendar pages, PostgreSQL, {RUNS} requests each (in-process server time), budget p95 < {BUDGET_MS} ms\n")
    print(f"{'company':<14} {'events':>8} {'page':<38} {'queries':>7} {'HTML KB':>8} {'p50 ms':>8} {'p95 ms':>8}"
          "  verdict")
    for row in rows:
        print(f"{row['company']:<14} {row['events']:>8,} {row['name']:<38} {row['queries']:>7} {row['html_kb']:>8.1f} "
              f"{row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f}  {'OK' if row['met'] else 'MISSED'}")
    print(f"\nOutside the window: {OUTSIDE[0]:,} vs {OUTSIDE[-1]:,} events, measured in turns (budget: "
          f"{GROWTH_BUDGET})\n")
    print_growth(growth, 38)
    write_results(RESULTS, benchmark="calendar pages", runs=RUNS, results=rows, growth=growth,
                  budget=f"p95 < {BUDGET_MS} ms per page; outside-window growth: {GROWTH_BUDGET}")
    return 0  # a report: a missed budget shows as MISSED and `make bench` goes on


if __name__ == "__main__":
    sys.exit(main())
