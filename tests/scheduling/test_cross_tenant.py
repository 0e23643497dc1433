"""Nobody outside the company reaches an interview, a wizard or the templates; the resolver-driven probe agrees."""

import pytest
from django.test import Client

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from tests.probe import (
    CompanyObjects,
    probe_as_outsider,
    probe_logged_out,
    probe_settings,  # noqa: F401  (a fixture)
    project_endpoints,
)

from .helpers import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduling_endpoints(probe_settings):  # noqa: F811
    return [e for e in project_endpoints() if e.name.startswith("scheduling:")]


def test_it_probes_every_scheduling_view(scheduling_endpoints):
    assert {e.name for e in scheduling_endpoints} == {
        "scheduling:schedule", "scheduling:find-time", "scheduling:schedule-invite", "scheduling:interview-detail",
        "scheduling:interview-reschedule", "scheduling:interview-cancel", "scheduling:calendar-retry",
        "scheduling:interview-reschedule-preview", "scheduling:interview-cancel-preview", "scheduling:interview-list",
        "scheduling:templates", "scheduling:week", "scheduling:self-schedule", "scheduling:self-schedule-withdraw",
        "scheduling:self-schedule-resend", "scheduling:reminders", "scheduling:outside-change-apply",
        "scheduling:outside-change-restore", "scheduling:outside-change-cancel", "scheduling:outside-change-recreate",
        "scheduling:invitation-calendar",
    }


def test_it_answers_the_outsider_with_404_everywhere(outsider_client, scheduling_endpoints, acme, owner, teammate):
    victim = CompanyObjects(acme, actor=owner.user)
    report = probe_as_outsider(outsider_client, scheduling_endpoints, victim, own_slug="globex")
    assert report.failures == []


def test_it_sends_logged_out_visitors_to_login(scheduling_endpoints, acme, owner):
    report = probe_logged_out(Client(), scheduling_endpoints, CompanyObjects(acme, actor=owner.user))
    assert report.failures == []


def test_it_hides_a_real_interview_from_the_globex_outsider(owner_client, outsider_client, acme_candidate):
    interview = schedule(owner_client, acme_candidate)
    for path in (f"/acme/interviews/{interview.pk}/", f"/globex/interviews/{interview.pk}/",
                 f"/globex/interviews/{interview.pk}/reschedule/", f"/globex/interviews/{interview.pk}/cancel/",
                 f"/globex/candidates/{acme_candidate.pk}/schedule/"):
        assert outsider_client.get(path).status_code == 404, path
        if not path.endswith(f"/interviews/{interview.pk}/"):  # the ledger is GET-only (405 for any id)
            assert outsider_client.post(path).status_code == 404, path


def test_it_shows_an_interviewer_only_their_own_interviews(owner_client, interviewer, interviewer_client,
                                                           acme_candidate):
    theirs = schedule(owner_client, acme_candidate, step1_fields={"interviewers": [interviewer.pk]})
    other = schedule(owner_client, acme_candidate)
    assert interviewer_client.get(f"/acme/interviews/{theirs.pk}/").status_code == 200
    assert interviewer_client.get(f"/acme/interviews/{other.pk}/").status_code == 404
    assert interviewer_client.post(f"/acme/interviews/{theirs.pk}/cancel/").status_code == 403


def test_it_never_draws_another_companys_interview_into_the_grid(owner_client, outsider, acme_candidate, globex):
    from tests.conftest import client_for

    interview = schedule(owner_client, acme_candidate)
    with across_tenants("test setup"):
        globex_candidate = Candidate.objects.create(company=globex, full_name="Homer", email="homer@globex.test")
    outsider_client = client_for(outsider)
    grid = f"/globex/candidates/{globex_candidate.pk}/schedule/find-time/?date=2030-06-12&interview={interview.pk}"
    assert outsider_client.get(grid).status_code == 404
    assert outsider_client.get(grid.replace(f"interview={interview.pk}", "interview=99999999999999999999")
                               ).status_code == 200  # not an id: ignored, like any garbage
