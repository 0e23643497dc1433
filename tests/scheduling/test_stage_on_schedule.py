"""Scheduling an interview moves the candidate forward in the job's pipeline, as the company chose (issue 14)."""

import pytest

from recruitee.recruiting.models import Candidate
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import AuditEntry

from .helpers import schedule, step1
from .test_reminders import make_interview

pytestmark = pytest.mark.django_db


def stage_of(candidate) -> str:
    with across_tenants("test setup"):
        return Candidate.objects.get(pk=candidate.pk).stage


def test_it_moves_the_candidate_to_the_companys_stage_when_an_interview_is_scheduled(owner, acme, acme_candidate):
    assert acme.stage_on_schedule == "interview" and acme_candidate.stage == "applied"
    make_interview(owner, acme_candidate)
    assert stage_of(acme_candidate) == "interview"
    with across_tenants("test setup"):
        entry = AuditEntry.objects.filter(company=acme, action__contains="stage").latest("pk")
    assert "scheduled an interview and moved Wile E. Coyote from Applied to Interview" in entry.summary


@pytest.mark.parametrize(("setting", "stage", "expected"), [
    ("", "applied", "applied"),             # the company chose not to move anyone
    ("interview", "offer", "offer"),        # never backwards
    ("interview", "rejected", "rejected"),  # nor out of a decision
    ("screening", "applied", "screening"),
])
def test_it_moves_only_forward_and_only_when_the_company_wants(owner, acme, acme_candidate, setting, stage,
                                                               expected):
    with across_tenants("test setup"):
        acme.stage_on_schedule = setting
        acme.save(update_fields=["stage_on_schedule"])
        Candidate.objects.filter(pk=acme_candidate.pk).update(stage=stage)
        acme_candidate.refresh_from_db()
    make_interview(owner, acme_candidate)
    assert stage_of(acme_candidate) == expected


def test_step_two_says_where_the_candidate_will_move_and_the_wizard_moves_them(owner_client, acme_candidate):
    url = step1(owner_client, acme_candidate)
    page = owner_client.get(url).content.decode()
    assert ("Scheduling this interview moves Wile E. Coyote from Applied to Interview in the pipeline." in page)
    schedule(owner_client, acme_candidate)
    assert stage_of(acme_candidate) == "interview"
    # Once there, step 2 has nothing to announce.
    assert 'data-testid="stage-on-schedule"' not in owner_client.get(step1(owner_client, acme_candidate)
                                                                     ).content.decode()
