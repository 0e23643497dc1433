"""Server time of the pages a team opens every day, as the company's history grows: `make bench`, or
`.venv/bin/python bench/history.py`.

Builds a throwaway PostgreSQL database of its own (bench/inprocess.py), migrates it, and loads two companies with the
same team (a recruiter and BENCH_INTERVIEWERS interviewers), the same interviews to come (three weeks at
BENCH_PER_DAY a day) and a history of past interviews: a short one (BENCH_SHORT, default 6,000) and a long one
(BENCH_LONG, default 60,000: about three years), with a candidate for every three interviews and three audit entries
for each. Each interview has an organizer, two interviewers and the candidate as participants, as the wizard makes
them. Then requests, in-process through the whole Django stack: the home page (admin, recruiter and interviewer), the
Interviews page (mine and everyone's, upcoming and past, searched for a rare and a common word, filtered by
interviewer), the candidate list and the audit log.

Reports p50 and p95 per page (budget p95 < 60 ms, as the calendar pages), then for each page the short history
against the long one, measured in turns: the same queries, and a p50 at most 1.25x + 3 ms. Prints a table and writes
bench/results/history.json.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

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
from django.utils import timezone  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
SHORT = int(os.environ.get("BENCH_SHORT", "6000"))
LONG = int(os.environ.get("BENCH_LONG", "60000"))
PER_DAY = int(os.environ.get("BENCH_PER_DAY", "55"))
INTERVIEWERS = int(os.environ.get("BENCH_INTERVIEWERS", "20"))
RESULTS = ROOT / "bench" / "results" / "history.json"
BUDGET_MS = 60
AHEAD_DAYS = 21


def copy_rows(model, instances) -> None:
    """COPY model instances into their table, every concrete column as Django would write it (defaults included)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # back to the login role (bench/pages.py copy_events says why)
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for instance in instances:
                copy.write_row([field.get_db_prep_save(getattr(instance, field.attname), connection)
                                for field in fields])


def seed_company(slug: str, past: int) -> dict:
    """The team, `past` interviews behind and three weeks ahead, and their candidates; returns the pages' URLs."""
    from recruitee.recruiting.models import Candidate, Job
    from recruitee.tenancy.db import across_tenants
    from recruitee.tenancy.models import AuditEntry, Company, Role
    from scheduling.models import Interview, Participant
    from tests.conftest import make_member

    rng = random.Random(7)
    company = Company.objects.create(name=slug.title(), slug=slug, time_zone="Europe/Berlin")
    admin = make_member(company, f"admin@{slug}.test", Role.ADMIN, "Ada Admin")
    recruiter = make_member(company, f"recruiter@{slug}.test", Role.RECRUITER, "Rita Recruiter")
    team = [recruiter, *(make_member(company, f"i{n}@{slug}.test", Role.INTERVIEWER, f"Ivan Interviewer {n}")
                         for n in range(INTERVIEWERS))]
    with across_tenants("bench: seed"):
        jobs = [Job.objects.create(company=company, title=f"Engineer {n}") for n in range(20)]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    total = past + AHEAD_DAYS * PER_DAY
    step = timedelta(days=1) / PER_DAY
    first = now - past * step
    candidates = total // 3
    copy_rows(Candidate, (Candidate(company=company, full_name=f"Candidate{n} Surname{n % 997}",
                                    email=f"candidate{n}@mail{n % 50}.example", job_id=jobs[n % 20].pk,
                                    created_at=first + n * 3 * step, updated_at=first + n * 3 * step)
                          for n in range(candidates)))
    with across_tenants("bench: seed"):
        candidate_ids = list(Candidate.objects.filter(company=company).order_by("pk").values_list("pk", flat=True))
    copy_rows(Interview, (
        Interview(company=company, candidate_id=candidate_ids[n // 3], job_id=jobs[n // 3 % 20].pk,
                  organizer=recruiter if n % 3 == 0 else rng.choice(team), title=f"Interview round {n % 3 + 1}",
                  start=first + n * step, end=first + n * step + timedelta(hours=1), time_zone="Europe/Berlin",
                  status="cancelled" if n % 10 == 9 else "scheduled", created_at=first + (n - 30) * step,
                  updated_at=first + (n - 30) * step)
        for n in range(total)))
    with across_tenants("bench: seed"):
        interviews = list(Interview.objects.filter(company=company).order_by("start")
                          .values_list("pk", "candidate_id"))

    def participants():
        for n, (interview_id, candidate_id) in enumerate(interviews):
            for member in (team[n % len(team)], team[(n + 7) % len(team)]):
                yield Participant(company=company, interview_id=interview_id, role="interviewer", member=member,
                                  name=member.user.display_name, email=member.user.email, time_zone="UTC",
                                  by_calendar=True, response=rng.choice(("accepted", "accepted", "needs_action")))
            yield Participant(company=company, interview_id=interview_id, role="candidate",
                              name=f"Candidate {candidate_id}", email=f"c{candidate_id}@mail.example",
                              time_zone="UTC", by_email=True)

    copy_rows(Participant, participants())
    actions = ("interview.scheduled", "candidate.created", "job.updated", "member.invited")
    copy_rows(AuditEntry, (  # three entries an interview, the company's whole trail
        AuditEntry(company=company, actor=recruiter.user, action=actions[n % 4], summary=f"Entry {n}",
                   target_type="recruiting.candidate", target_id=candidate_ids[n // 9], data={},
                   created_at=first + n * step / 3)
        for n in range(3 * past)))
    clients = {}
    for who, member in (("admin", admin), ("recruiter", recruiter), ("interviewer", team[1])):
        clients[who] = Client()
        clients[who].force_login(member.user, backend="allauth.account.auth_backends.AuthenticationBackend")
    base = f"/{slug}"
    # "candidate1234@" is one candidate's address, with three past interviews in either history; "round" is in every
    # title.
    pages = {
        "Home, admin": ("admin", f"{base}/"),
        "Home, recruiter": ("recruiter", f"{base}/"),
        "Home, interviewer": ("interviewer", f"{base}/"),
        "Interviews, mine, upcoming": ("recruiter", f"{base}/interviews/"),
        "Interviews, mine, past": ("recruiter", f"{base}/interviews/?when=past"),
        "Interviews, everyone, past": ("recruiter", f"{base}/interviews/?who=everyone&when=past"),
        "Interviews, past, a rare word": ("recruiter", f"{base}/interviews/?who=everyone&when=past&q=candidate1234@"),
        "Interviews, past, a common word": ("recruiter", f"{base}/interviews/?who=everyone&when=past&q=round"),
        "Interviews, past, one interviewer": ("recruiter",
                                              f"{base}/interviews/?who=everyone&when=past&interviewer={team[3].pk}"),
        "Interviews, an interviewer's past": ("interviewer", f"{base}/interviews/?when=past"),
        "Candidates": ("recruiter", f"{base}/candidates/"),
        "Audit log": ("admin", f"{base}/settings/audit/"),
        "Audit log, page 20": ("admin", f"{base}/settings/audit/?page=20"),
    }
    return {"slug": slug, "interviews": total, "candidates": candidates, "pages": pages, "clients": clients}


def page_view(company: dict, name: str) -> dict:
    """The company as growth_check() sees one page: its client and its URL."""
    who, url = company["pages"][name]
    return {"slug": company["slug"], "client": company["clients"][who], "urls": {name: url}}


def main() -> int:
    logging.disable(logging.INFO)
    if connection.vendor != "postgresql":
        print("bench/history.py measures PostgreSQL's plans: set DATABASE_URL or BENCH_DATABASE_URL to PostgreSQL.")
        return 0
    with throwaway_database("history"):
        started = time.perf_counter()
        short, long_ = seed_company("short", SHORT), seed_company("long", LONG)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps
        print(f"{short['interviews'] + long_['interviews']:,} interviews loaded in "
              f"{time.perf_counter() - started:.1f} s")
        rows, growth = [], []
        for company in (short, long_):
            for name, (who, url) in company["pages"].items():
                row = {"company": company["slug"], "interviews": company["interviews"], "name": name, "url": url,
                       **measure_page(company["clients"][who], url, runs=RUNS), "budget_ms": BUDGET_MS}
                row["met"] = row["p95_ms"] < BUDGET_MS
                rows.append(row)
        for name in short["pages"]:
            queries = tuple(next(r["queries"] for r in rows if r["company"] == c["slug"] and r["name"] == name)
                            for c in (short, long_))
            growth.append(growth_check(page_view(short, name), page_view(long_, name), name, queries, runs=RUNS))

    print(f"\nDaily pages, PostgreSQL, {RUNS} requests each (in-process server time), budget p95 < {BUDGET_MS} ms\n")
    print(f"{'history':<8} {'interviews':>10} {'page':<36} {'queries':>7} {'HTML KB':>8} {'p50 ms':>8} {'p95 ms':>8}"
          f" {'in SQL':>7}  verdict")
    for row in rows:
        print(f"{row['company']:<8} {row['interviews']:>10,} {row['name']:<36} {row['queries']:>7} "
              f"{row['html_kb']:>8.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} {row['sql_p50_ms']:>7.1f}  "
              f"{'OK' if row['met'] else 'MISSED'}")
    print(f"\nA longer history: {short['interviews']:,} vs {long_['interviews']:,} interviews (the same three weeks "
          f"ahead), measured in turns (budget: {GROWTH_BUDGET})\n")
    print_growth(growth, 36)
    write_results(RESULTS, benchmark="daily pages as history grows", runs=RUNS, results=rows, growth=growth,
                  budget=f"p95 < {BUDGET_MS} ms per page; a 10x longer history: {GROWTH_BUDGET}")
    return 0  # a report: a missed budget shows as MISSED and `make bench` goes on


if __name__ == "__main__":
    sys.exit(main())
