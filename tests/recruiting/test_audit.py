"""Every change to jobs and candidates shows in the admin's audit log: who did what to which."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry
from tests.conftest import analyze, make_member

pytestmark = pytest.mark.django_db

JOB = {"title": "Rocket Pilot", "department": "Flight", "location": "Cape Canaveral", "status": "open"}
CANDIDATE = {"full_name": "Grace Hopper", "email": "grace@example.com", "phone": "", "time_zone": "UTC",
             "stage": "applied", "notes": ""}


def audit_lines(client) -> list[str]:
    page = client.get("/acme/settings/audit/").content.decode()
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]


def test_the_audit_log_shows_job_and_candidate_changes_by_whom(owner_client, teammate_client, teammate):
    teammate_client.post("/acme/jobs/new/", JOB)
    with across_tenants("test setup"):
        job = Job.objects.get(title="Rocket Pilot")
    teammate_client.post(f"/acme/jobs/{job.pk}/edit/", {**JOB, "location": "Houston"})
    teammate_client.post("/acme/candidates/new/", {**CANDIDATE, "job": job.pk})
    with across_tenants("test setup"):
        candidate = Candidate.objects.get(email="grace@example.com")
    teammate_client.post(f"/acme/candidates/{candidate.pk}/edit/", {**CANDIDATE, "job": job.pk, "stage": "interview"})
    teammate_client.post(f"/acme/candidates/{candidate.pk}/edit/",
                         {**CANDIDATE, "job": job.pk, "stage": "interview", "phone": "+1 555 0100"})
    teammate_client.post(f"/acme/candidates/{candidate.pk}/delete/")

    log = "\n".join(audit_lines(owner_client))
    name = teammate.user.display_name
    assert f"{name} created the job Rocket Pilot" in log
    assert f"{name} changed the job Rocket Pilot: location" in log
    assert f"{name} added the candidate Grace Hopper" in log
    assert f"{name} moved Grace Hopper from Applied to Interview" in log
    assert f"{name} changed the candidate Grace Hopper: phone" in log
    assert f"{name} deleted the candidate Grace Hopper" in log


def test_saving_a_form_without_changes_leaves_no_entry(owner_client, teammate_client, acme_job):
    before = len(audit_lines(owner_client))
    teammate_client.post(f"/acme/jobs/{acme_job.pk}/edit/", {
        "title": acme_job.title, "department": acme_job.department, "location": acme_job.location,
        "status": acme_job.status,
    })
    assert len(audit_lines(owner_client)) == before


def _entries(company, actor, count: int, *, newest: datetime, action: str = "job.updated") -> None:
    """`count` entries a minute apart, the newest at `newest`, in one insert."""
    with across_tenants("test setup"):
        made = AuditEntry.objects.bulk_create([
            AuditEntry(company=company, actor=actor, action=action, summary=f"Entry {n}", data={})
            for n in range(count)], batch_size=2_000)
        for n, entry in enumerate(made):
            entry.created_at = newest - timedelta(minutes=n)
        AuditEntry.objects.bulk_update(made, ["created_at"], batch_size=2_000)


def test_a_long_audit_log_pages_on_newest_first_without_counting_it_all(owner_client, owner):
    _entries(owner.company, owner.user, 1_030, newest=timezone.now())
    first = owner_client.get("/acme/settings/audit/").content.decode()
    assert "Page 1<" in first and "Page 1 of" not in first  # more than it counts
    last = owner_client.get("/acme/settings/audit/", {"page": "21"}).content.decode()
    rows = re.findall(r"<td>[^<]*</td><td>[^<]*Entry (\d+)[^<]*</td>", last)
    assert rows == [str(n) for n in range(1_000, 1_030)]  # the oldest thirty, newest first
    assert 'aria-disabled="true"' in last or "page-item disabled" in last  # no page after them


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_a_small_companys_log_is_read_through_its_own_index(owner_client, owner, globex):
    """Another company's 5,000 newer entries are never walked past, nor all of this one's sorted, for a page."""
    globex_admin = make_member(globex, "admin@globex.test", "admin")
    _entries(globex, globex_admin.user, 5_000, newest=timezone.now())
    _entries(owner.company, owner.user, 1_000, newest=timezone.now() - timedelta(days=40))
    analyze("tenancy_auditentry")
    with CaptureQueriesContext(connection) as captured:
        page = owner_client.get("/acme/settings/audit/").content.decode()
    assert "Entry 0<" in page and "Entry 49<" in page and "Entry 50<" not in page
    [rows] = [query["sql"] for query in captured if '"tenancy_auditentry"."summary"' in query["sql"]]
    with scope(company=owner.company), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {rows}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "audit_company_latest" in plan, plan
