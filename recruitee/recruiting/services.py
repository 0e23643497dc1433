"""Writes for jobs and candidates."""

from django.db import transaction

from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

from .models import Candidate, Job


@transaction.atomic
def job_create(*, company: Company, actor, **fields) -> Job:
    return Job.objects.create(company=company, **fields)


@transaction.atomic
def job_update(*, job: Job, actor, **fields) -> Job:
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()
    return job


@transaction.atomic
def job_delete(*, job: Job, actor) -> None:
    audit_record(company=job.company, actor=actor, action="job.deleted", summary=f"{actor} deleted the job {job}")
    job.delete()


@transaction.atomic
def candidate_create(*, company: Company, actor, **fields) -> Candidate:
    return Candidate.objects.create(company=company, created_by=actor, **fields)


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor, **fields) -> Candidate:
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.save()
    return candidate


@transaction.atomic
def candidate_delete(*, candidate: Candidate, actor) -> None:
    audit_record(company=candidate.company, actor=actor, action="candidate.deleted",
                 summary=f"{actor} deleted the candidate {candidate}")
    candidate.delete()
