import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants

pytestmark = pytest.mark.django_db

NEW_CANDIDATE = {
    "full_name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "+1 212 555 0199",
    "time_zone": "America/New_York",
    "stage": "applied",
    "notes": "Invented the compiler.\nLikes nanoseconds.",
}


def test_it_creates_a_candidate_and_shows_their_page(teammate_client, acme_job):
    response = teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "job": acme_job.pk})
    with across_tenants("test setup"):
        candidate = Candidate.objects.get(email="grace@example.com")
    assert response.status_code == 302
    assert response["Location"] == f"/acme/candidates/{candidate.pk}/"
    page = teammate_client.get(response["Location"]).content.decode()
    assert "Grace Hopper" in page and "America/New_York" in page and "Secret Rocket Engineer" in page
    assert "Likes nanoseconds." in page


def test_it_escapes_what_people_type(teammate_client):
    teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "full_name": "<script>alert(1)</script>"})
    page = teammate_client.get("/acme/candidates/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_it_refuses_another_companys_job(teammate_client, outsider, globex):
    with across_tenants("test setup"):
        foreign_job = Job.objects.create(company=globex, title="Globex job")
    response = teammate_client.post("/acme/candidates/new/", {**NEW_CANDIDATE, "job": foreign_job.pk})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    with across_tenants("test setup"):
        assert not Candidate.objects.filter(email="grace@example.com").exists()


def test_it_edits_and_deletes_with_confirmation(teammate_client, acme_candidate):
    url = f"/acme/candidates/{acme_candidate.pk}/"
    response = teammate_client.post(url + "edit/", {**NEW_CANDIDATE, "full_name": "Wile E. Coyote, Genius"})
    assert response.status_code == 302
    with across_tenants("test setup"):
        acme_candidate.refresh_from_db()
    assert acme_candidate.full_name == "Wile E. Coyote, Genius"
    confirm = teammate_client.get(url + "delete/")
    assert b"Delete candidate" in confirm.content
    with across_tenants("test setup"):
        assert Candidate.objects.filter(pk=acme_candidate.pk).exists()
    assert teammate_client.post(url + "delete/").status_code == 302
    with across_tenants("test setup"):
        assert not Candidate.objects.filter(pk=acme_candidate.pk).exists()
    assert teammate_client.get(url).status_code == 404


def test_it_searches_filters_and_paginates(teammate_client, acme, acme_job):
    with across_tenants("test setup"):
        Candidate.objects.bulk_create([
            Candidate(company=acme, full_name=f"Person {i:02d}", email=f"p{i}@example.com",
                      job=acme_job if i % 2 else None, stage="screening" if i % 3 == 0 else "applied")
            for i in range(60)
        ])
    first = teammate_client.get("/acme/candidates/").content.decode()
    assert f"Page 1 of {-(-60 // settings.PAGE_SIZE)}" in first
    found = teammate_client.get("/acme/candidates/", {"q": "p7@example"}).content.decode()
    assert "Person 07" in found and "Person 08" not in found
    by_job = teammate_client.get("/acme/candidates/", {"job": acme_job.pk, "stage": "screening"}).content.decode()
    assert "Person 03" in by_job and "Person 06" not in by_job and "Person 04" not in by_job
    # Page links keep the search.
    searched = teammate_client.get("/acme/candidates/", {"q": "Person"}).content.decode()
    assert "?q=Person&amp;page=2" in searched
    # A page number out of range shows the last page rather than an error.
    assert teammate_client.get("/acme/candidates/", {"page": "999"}).status_code == 200
    nothing = teammate_client.get("/acme/candidates/", {"q": "nobody-like-this"}).content.decode()
    assert "No candidates match your search." in nothing


def test_it_lists_candidates_with_a_constant_number_of_queries(teammate_client, acme, acme_job):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert teammate_client.get("/acme/candidates/").status_code == 200
        return len(queries)

    with across_tenants("test setup"):
        Candidate.objects.create(company=acme, full_name="One", email="one@example.com", job=acme_job)
    few = count_queries()
    with across_tenants("test setup"):
        Candidate.objects.bulk_create([
            Candidate(company=acme, full_name=f"Many {i}", email=f"m{i}@example.com", job=acme_job) for i in range(20)
        ])
    assert count_queries() == few


def test_it_lets_interviewers_read_but_not_change(interviewer_client, acme_candidate):
    assert interviewer_client.get(f"/acme/candidates/{acme_candidate.pk}/").status_code == 200
    page = interviewer_client.get("/acme/candidates/").content.decode()
    assert "Add candidate" not in page
    assert interviewer_client.post("/acme/candidates/new/", NEW_CANDIDATE).status_code == 403
    assert interviewer_client.post(f"/acme/candidates/{acme_candidate.pk}/delete/").status_code == 403
    with across_tenants("test setup"):
        assert Candidate.objects.filter(pk=acme_candidate.pk).exists()


def test_it_manages_jobs_and_keeps_candidates_when_a_job_goes(teammate_client, acme_job, acme_candidate):
    response = teammate_client.post("/acme/jobs/new/", {"title": "Roadrunner Catcher", "status": "open"})
    assert response.status_code == 302
    jobs = teammate_client.get("/acme/jobs/").content.decode()
    assert "Roadrunner Catcher" in jobs and "Secret Rocket Engineer" in jobs
    confirm = teammate_client.get(f"/acme/jobs/{acme_job.pk}/delete/").content.decode()
    assert "1 candidate stays" in confirm
    teammate_client.post(f"/acme/jobs/{acme_job.pk}/delete/")
    with across_tenants("test setup"):
        acme_candidate.refresh_from_db()
    assert acme_candidate.job is None
