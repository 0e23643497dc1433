import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from recruitee.accounts.models import User
from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Company, Membership

pytestmark = pytest.mark.django_db


def counts():
    with across_tenants("test setup"):
        return (Company.objects.count(), User.objects.count(), Membership.objects.count(),
                Job.objects.count(), Candidate.objects.count())


def test_it_seeds_the_demo_companies_and_can_run_twice():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert Company.objects.get(slug="acme").name == "Acme Inc."
    assert Company.objects.filter(slug="globex").exists()
    with across_tenants("test setup"):
        assert 18 <= Candidate.objects.filter(company__slug="acme").count() <= 25
        assert len(set(Candidate.objects.values_list("time_zone", flat=True))) > 5
    client = Client()
    response = client.post("/accounts/login/", {"login": "recruiter@acme.test", "password": "demo-pass-123"})
    assert response.status_code == 302
    assert "Sofia Martínez" in client.get("/acme/candidates/").content.decode()


def test_it_refuses_to_seed_under_production_settings(settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert counts() == (0, 0, 0, 0, 0)
