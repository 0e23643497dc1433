"""Every change to jobs and candidates shows in the admin's audit log: who did what to which."""

import re

import pytest

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants

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
