"""What the tenant wall costs (issue 16): `make bench`, or `.venv/bin/python bench/rls.py`.

The same work on one throwaway PostgreSQL database in two configurations:

  * without the wall: Django's own PostgreSQL backend (bench/without_wall.py), logged in as the superuser of
    BENCH_DATABASE_URL, for whom row-level security does not hold: the application as it was before issue 16;
  * with the wall: our backend (the tenant set before statements, recruitee/db/postgresql/), logged in as
    recruitee_app, for whom every tenant table's policy holds: the application as it runs now.

Measured: the candidate list (10,000 candidates) and a search in it; the Sent tab (100,000 messages), a search for a
rare and for a common word; a read by primary key (per statement); the full sync of a 100,000-event calendar from
the sandbox Google provider into an empty calendar. Another company holds as many rows again, so the policies have
something to keep out. Both configurations keep their connections as production does (CONN_MAX_AGE).

This machine's speed drifts by a third between one minute and the next, far more than the 5 % to be measured. So
the pages and the statements are measured in pairs: one long-lived child per configuration, and BENCH_ROUNDS
rounds (default 15) in which each child serves BENCH_RUNS requests (default 7) of a page, one right after the other,
the first of the pair alternating. A request's time ends when its response is ready (bench/inprocess.py's
ResponseClock): what runs once a server has sent it, our backend returning the connection to no tenant among it,
is not waited for by anyone. A round's cost is the ratio of the two medians; the cost reported is the median
of the rounds' ratios (the figures beside it are the p50 of all requests). The sync takes seconds, so it is
measured whole, in fresh children, in BENCH_SYNC_REPEATS pairs (default 5), one configuration right after the other
(the first alternating); its cost is the median of the pairs' ratios (a best of three each swung from -2 % to +16 %
between runs of the same code), the times beside it the best of each. BENCH_ONLY=pages leaves it out.
Beside the whole pages, the database's share of the cost is measured where the policies act: each page's statements,
run in turns as the application's role and as the superuser on two connections (page_statements). It is steadier
than whole pages, whose ratio for two identical configurations came out anywhere from -2 % to +4 % on this machine.
Budget 5 %. Prints a table and writes bench/results/rls.json. Needs a PostgreSQL superuser (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/postgres), who creates the roles if they are missing.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.calendar_sync import ADMIN_URL, child_env, sandbox_call, start_sandbox  # noqa: E402
from bench.roles import ensure_roles  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "rls.json"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SYNC_REPEATS = int(os.environ.get("BENCH_SYNC_REPEATS", "5"))
ONLY = os.environ.get("BENCH_ONLY", "").lower()
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "10000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
BUDGET = 0.05
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
PAGES = {
    "Candidate list": ("/acme/candidates/", {}),
    "Candidate search": ("/acme/candidates/?q=Coyote+4242", HTMX),
    "Sent tab": ("/acme/mailbox/sent/?who=everyone", {}),
    "Sent search, rare word": ("/acme/mailbox/sent/?who=everyone&q=4242", HTMX),
    "Sent search, common word": ("/acme/mailbox/sent/?who=everyone&q=follow-up", HTMX),
}
SYNC = f"Full sync, {EVENTS:,} events"
STATEMENTS = 300  # per statement figure, per round: a primary-key read, many times
STATEMENT_TURNS = int(os.environ.get("BENCH_STATEMENT_TURNS", "30"))  # the pages' statements, each configuration
CONFIGURATIONS = ("without", "with")


# --- the parent -------------------------------------------------------------------------------------------------

def url_as(base: str, user: str, database: str) -> str:
    parts = urlsplit(base)
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, f"{user}@{host}", f"/{database}", "", ""))


def run_child(env: dict[str, str], kind: str, arg: str = "-") -> dict:
    finished = subprocess.run([sys.executable, __file__, "--child", kind, arg], cwd=ROOT, env=env,  # noqa: S603
                              capture_output=True, text=True)
    if finished.returncode:
        sys.stderr.write(finished.stdout + finished.stderr)
        finished.check_returncode()
    return json.loads(finished.stdout.strip().splitlines()[-1])


def main() -> int:
    admin = urlsplit(ADMIN_URL)
    database = f"recruitee_bench_rls_{os.getpid()}"
    superuser_url = url_as(ADMIN_URL, admin.username or "postgres", database)
    ensure_roles(ADMIN_URL)
    with tempfile.TemporaryDirectory(prefix="rls-bench-") as workdir:
        sandbox, provider_env = start_sandbox(Path(workdir))
        # Connections kept between requests, as production keeps them (recruitee/settings/production.py).
        base = {**child_env(provider_env, superuser_url, Path(workdir)), "CONN_MAX_AGE": "60"}
        envs = {
            "without": {**base, "DJANGO_SETTINGS_MODULE": "bench.without_wall"},
            "with": {**base, "DATABASE_URL": url_as(ADMIN_URL, "recruitee_app", database)},
        }
        subprocess.run(["createdb", "-h", admin.hostname, "-U", admin.username or "postgres", database],  # noqa: S607
                       check=True)
        try:
            # Migrated and filled by the superuser, as the tables' owner (tests/conftest.py does the same).
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=base, check=True)  # noqa: S603
            email = "bench-rls@sandbox-google.test"
            sandbox_call(provider_env, "POST", "/_sandbox/accounts",
                         {"provider": "google", "email": email, "events": EVENTS, "tz": "Europe/Berlin"})
            started = time.perf_counter()
            seeded = run_child(base, "seed", email)
            print(f"Seeded in {time.perf_counter() - started:.0f} s: {seeded}")
            envs["without"]["BENCH_ALL_COMPANY_IDS"] = ",".join(map(str, seeded["company_ids"]))
            results = paired_rounds(envs)
            results["page statements"] = run_child(envs["with"], "page-statements")
            if ONLY != "pages":
                results[SYNC] = sync_repeats(envs, seeded)
        finally:
            sandbox.terminate()
            sandbox.wait(10)
            subprocess.run(["dropdb", "-h", admin.hostname, "-U", admin.username or "postgres",  # noqa: S607
                            "--if-exists", database], check=False)
    report(results)
    return 0


PER_STATEMENT = {"same": "One read, the tenant unchanged", "switch": "One read, the tenant changed"}


class Child:
    """A long-lived child of one configuration that measures what it is asked to, one JSON line each way."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, __file__, "--serve"], cwd=ROOT, env=env,  # noqa: S603
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the child measuring {command} died (exit {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


def paired_rounds(envs: dict[str, dict[str, str]]) -> dict[str, dict]:
    """Per page and per statement: every request's milliseconds (microseconds for statements) of each
    configuration, and each round's ratio with / without."""
    children = {name: Child(envs[name]) for name in CONFIGURATIONS}
    samples = {label: {"without": [], "with": [], "ratios": []} for label in [*PAGES, *PER_STATEMENT]}
    try:
        for child in children.values():
            child.ask(warm=True)
        for round_number in range(ROUNDS):
            order = CONFIGURATIONS if round_number % 2 == 0 else CONFIGURATIONS[::-1]
            for label in PAGES:
                taken = {name: children[name].ask(page=label, runs=RUNS)["ms"] for name in order}
                record(samples[label], taken)
            taken = {name: children[name].ask(statements=STATEMENTS) for name in order}
            for key in PER_STATEMENT:
                record(samples[key], {name: [figures[key]] for name, figures in taken.items()})
            print(f"  round {round_number + 1}/{ROUNDS} done", flush=True)
    finally:
        for child in children.values():
            child.close()
    return samples


def record(sample: dict, taken: dict[str, list[float]]) -> None:
    for name, values in taken.items():
        sample[name].extend(values)
    sample["ratios"].append(statistics.median(taken["with"]) / statistics.median(taken["without"]))


def sync_repeats(envs: dict[str, dict[str, str]], seeded: dict) -> dict:
    seconds: dict[str, list[float]] = {"without": [], "with": []}
    for repeat in range(SYNC_REPEATS):
        for name in CONFIGURATIONS if repeat % 2 == 0 else CONFIGURATIONS[::-1]:
            figures = run_child(envs[name], "sync", str(seeded["connection_id"]))
            assert figures["events"] == seeded["events"], (figures, seeded)
            seconds[name].append(figures["seconds"])
        print(f"  sync {repeat + 1}/{SYNC_REPEATS} done", flush=True)
    return seconds


def report(results: dict[str, dict]) -> None:
    rows = []
    print(f"\nThe tenant wall's cost (pages: p50 of {ROUNDS} x {RUNS} requests each, ms; cost: the median of "
          f"{ROUNDS} paired rounds' ratios; sync: best of {SYNC_REPEATS} pairs, s, and the median pair's ratio):")
    print(f"{'':<28} {'without':>9} {'with':>9} {'cost':>7} {'budget':>7}")
    for label in [label for label in [*PAGES, SYNC] if label in results]:
        result = results[label]
        if label == SYNC:
            without, with_wall = min(result["without"]), min(result["with"])
            result["ratios"] = [w / wo for w, wo in zip(result["with"], result["without"], strict=True)]
            cost = statistics.median(result["ratios"]) - 1
        else:
            without, with_wall = statistics.median(result["without"]), statistics.median(result["with"])
            cost = statistics.median(result["ratios"]) - 1
        rows.append({"measurement": label, "unit": "s" if label == SYNC else "ms", "without": without,
                     "with": with_wall, "cost": cost, "round_ratios": result.get("ratios", [])})
        print(f"{label:<28} {without:>9.2f} {with_wall:>9.2f} {cost:>+7.1%} {BUDGET:>6.0%} "
              f"{'OK' if cost <= BUDGET else 'MISSED'}")
    statements = {}
    print(f"Per statement (a primary-key read, median of {ROUNDS} rounds x {STATEMENTS:,}, microseconds):")
    for key, label in PER_STATEMENT.items():
        without, with_wall = statistics.median(results[key]["without"]), statistics.median(results[key]["with"])
        statements[key] = {"label": label, "without_us": without, "with_us": with_wall}
        print(f"  {label:<34} {without:>7.1f} {with_wall:>7.1f}  ({with_wall - without:+.1f})")
    database_share = {}
    if by_page := results.get("page statements"):
        print(f"The database's share (each page's statements, paired: median of {STATEMENT_TURNS} turns each, "
              "summed, ms; the cost as a share of the page's p50 without the wall):")
        for label, figures in by_page.items():
            without_page = statistics.median(results[label]["without"])
            share = (figures["with"] - figures["without"]) / without_page
            database_share[label] = {**figures, "share_of_page": share}
            print(f"  {label:<28} {figures['without']:>7.2f} {figures['with']:>7.2f} {share:>+7.1%}  "
                  f"({figures['statements']} statements)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
        "cpus": os.cpu_count(), "budget": BUDGET, "rows": rows, "per_statement": statements,
        "database_share": database_share,
        "met": {row["measurement"]: row["cost"] <= BUDGET for row in rows},
    }, indent=2) + "\n")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


# --- the children -----------------------------------------------------------------------------------------------

def seed(email: str) -> dict:
    """Two companies with as much as the pages need, and the sandbox account connected (as the superuser)."""
    from django.db import connection

    from bench.calendar_sync import connect
    from recruitee.recruiting.models import Candidate, Job
    from recruitee.tenancy.db import across_tenants
    from recruitee.tenancy.models import Company, Role
    from tests.conftest import make_member
    from tests.mailbox.factories import bulk_messages

    for slug, name in (("acme", "Acme Inc."), ("globex", "Globex Corporation")):
        company = Company.objects.create(name=name, slug=slug, time_zone="Europe/Berlin")
        owner = make_member(company, f"owner@{slug}.test", Role.ADMIN, "Olivia Owner")
        with across_tenants("bench: seed"):
            job = Job.objects.create(company=company, title="Rocket Engineer")
            Candidate.objects.bulk_create(
                [Candidate(company=company, full_name=f"Wile E. Coyote {n}", email=f"wile{n}@{slug}-people.test",
                           job=job, created_by=owner.user) for n in range(CANDIDATES)], batch_size=5000)
            candidate = Candidate.objects.filter(company=company).first()
        bulk_messages(owner, candidate, MESSAGES)
    connection_id = connect(email)["connection_id"]
    from django_scopes import scope

    from calendars.models import CalendarConnection
    from calendars.sync.engine import connection_sync

    company_id = Company.objects.get(calendar_connections__pk=connection_id).pk
    with scope(company=company_id):
        connection_sync(connection_id=CalendarConnection.objects.get(pk=connection_id).pk, full=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM calendars_event")
        (events,) = cursor.fetchone()
    return {"connection_id": connection_id, "events": events,
            "company_ids": list(Company.objects.order_by("pk").values_list("pk", flat=True))}


def serve() -> None:
    """Answers the parent's commands (one JSON line each) until its stdin closes: warm every page, serve a page
    `runs` times (each request's milliseconds), or time `statements` primary-key reads."""
    from django.conf import settings
    from django.test import Client

    from bench.inprocess import ResponseClock
    from recruitee.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(email="owner@acme.test"),
                       backend="allauth.account.auth_backends.AuthenticationBackend")

    clock = ResponseClock.of(client)

    def request(label: str) -> float:
        url, headers = PAGES[label]
        started = time.perf_counter()
        response = client.get(url, **headers)
        assert response.status_code == 200, (label, response.status_code)
        return (clock.ready - started) * 1000

    for line in sys.stdin:
        command = json.loads(line)
        if command.get("warm"):
            for label in PAGES:
                for _ in range(3):
                    request(label)
            answer = {}
        elif "page" in command:
            answer = {"ms": [request(command["page"]) for _ in range(command["runs"])]}
        else:
            answer = statements(command["statements"])
        print(json.dumps(answer), flush=True)


def sync(connection_id: str) -> dict:
    """A full sync into the empty calendar, as after connecting; emptied (and vacuumed) by the superuser first, so
    that every run meets the same table whoever it runs as."""
    import psycopg
    from django.db import connection
    from django_scopes import scope

    from calendars.models import CalendarConnection, Event
    from calendars.sync.engine import connection_sync
    from recruitee.tenancy.db import across_tenants

    admin = urlsplit(os.environ["BENCH_ADMIN_DATABASE_URL"])
    with psycopg.connect(dbname=connection.settings_dict["NAME"], user=admin.username, password=admin.password,
                         host=admin.hostname, port=admin.port, autocommit=True) as superuser:
        superuser.execute("DELETE FROM calendars_event")
        superuser.execute("UPDATE calendars_calendar SET sync_cursor = '', sync_page = '', sync_mode = ''")
        superuser.execute("VACUUM calendars_event")
    with across_tenants("bench: the connection's company"):
        company_id = CalendarConnection.objects.get(pk=int(connection_id)).company_id
    with scope(company=company_id):
        started = time.perf_counter()
        connection_sync(connection_id=int(connection_id), full=True)
        seconds = time.perf_counter() - started
        events = Event.objects.filter(calendar__connection_id=int(connection_id)).count()
    return {"seconds": seconds, "events": events}


def statements(count: int) -> dict:
    """Microseconds per statement: a read by primary key again and again in one company's scope (the setting is
    made once), and alternating between two companies (made before every statement: one more round trip)."""
    from django_scopes import scope

    from recruitee.recruiting.models import Job
    from recruitee.tenancy.db import across_tenants
    from recruitee.tenancy.models import Company

    companies = list(Company.objects.filter(slug__in=["acme", "globex"]).order_by("slug"))
    with across_tenants("bench: a job of each company"):
        jobs = {company.pk: Job.objects.filter(company=company).values_list("pk", flat=True).first()
                for company in companies}

    def read(company) -> None:
        with scope(company=company):
            assert Job.objects.filter(pk=jobs[company.pk]).exists()

    figures = {}
    for key, order in (("same", [companies[0]] * count), ("switch", companies * (count // 2))):
        read(order[0])  # connected, warm
        started = time.perf_counter()
        for company in order:
            read(company)
        figures[key] = (time.perf_counter() - started) / len(order) * 1e6
    return figures


def page_statements() -> dict:
    """The database's share of the wall's cost: each page's statements (as one request of it sends them, values in
    place), run in turns on two connections, as recruitee_app in acme's scope and as the superuser, for whom no
    policy holds; per page the sum of each statement's median milliseconds on each. Unlike whole requests, this
    compares the same statements a few milliseconds apart, so the drift of the machine's speed (which makes whole
    pages of identical configurations differ by up to 5 % here) hardly enters. The statements run unprepared,
    each planned for its values: the application keeps plans for statements it repeats (plan_cache_mode auto), so
    the planning under the policies counted here is more than it pays."""
    import psycopg
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from recruitee.accounts.models import User
    from recruitee.tenancy.db import COMPANY_IDS_SETTING
    from recruitee.tenancy.models import Company

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(email="owner@acme.test"),
                       backend="allauth.account.auth_backends.AuthenticationBackend")
    sent = {}
    for label, (url, headers) in PAGES.items():
        client.get(url, **headers)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, **headers).status_code == 200
        sent[label] = [query["sql"] for query in captured.captured_queries]
    acme = Company.objects.get(slug="acme").pk
    every = ",".join(map(str, Company.objects.order_by("pk").values_list("pk", flat=True)))
    admin, database = urlsplit(os.environ["BENCH_ADMIN_DATABASE_URL"]), connection.settings_dict["NAME"]
    logins = {"with": url_as(os.environ["BENCH_ADMIN_DATABASE_URL"], "recruitee_app", database),
              "without": url_as(os.environ["BENCH_ADMIN_DATABASE_URL"], admin.username or "postgres", database)}
    sessions = {name: psycopg.connect(login, autocommit=True) for name, login in logins.items()}
    try:
        # The superuser's session names every company, as bench/without_wall.py's does (the listing view reads it).
        for name, companies in (("with", str(acme)), ("without", every)):
            sessions[name].execute(f"SELECT set_config('{COMPANY_IDS_SETTING}', %s, false)", [companies])
        figures = {}
        for label, statements_sent in sent.items():
            taken = {name: [[] for _ in statements_sent] for name in CONFIGURATIONS}
            for turn in range(STATEMENT_TURNS):
                for index, statement in enumerate(statements_sent):
                    for name in CONFIGURATIONS if turn % 2 == 0 else CONFIGURATIONS[::-1]:
                        started = time.perf_counter()
                        sessions[name].execute(statement).fetchall()
                        taken[name][index].append((time.perf_counter() - started) * 1000)
            figures[label] = {name: sum(statistics.median(times) for times in taken[name]) for name in CONFIGURATIONS}
            figures[label]["statements"] = len(statements_sent)
        return figures
    finally:
        for session in sessions.values():
            session.close()


def child(kind: str, arg: str) -> dict:
    import django

    django.setup()
    if kind == "seed":
        return seed(arg)
    if kind == "sync":
        return sync(arg)
    if kind == "page-statements":
        return page_statements()
    raise SystemExit(f"unknown child {kind}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        import django

        django.setup()
        from recruitee.startup import settle_for_requests

        settle_for_requests()  # as recruitee/wsgi.py does in a web process
        serve()
        sys.exit(0)
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3])))
        sys.exit(0)
    os.environ["BENCH_ADMIN_DATABASE_URL"] = ADMIN_URL
    sys.exit(main())
