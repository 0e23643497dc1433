"""Fetch-and-authorize helpers: the same 404 for a missing object and another company's object."""

from django.http import Http404

from recruitee.tenancy.models import Membership

from .models import Candidate, Job


def get_candidate_for_member(member: Membership, candidate_id: int) -> Candidate:
    try:
        return Candidate.objects.select_related("job", "company").get(company=member.company, pk=candidate_id)
    except Candidate.DoesNotExist:
        raise Http404 from None


def get_job_for_member(member: Membership, job_id: int) -> Job:
    try:
        return Job.objects.get(company=member.company, pk=job_id)
    except Job.DoesNotExist:
        raise Http404 from None
