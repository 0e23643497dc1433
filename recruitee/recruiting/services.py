"""Writes for jobs and candidates. Each runs in one transaction and leaves an audit entry."""

from django.db import models, transaction

from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

from .models import Candidate, Job


def _stored(instance: models.Model) -> models.Model:
    # The row of an object the caller already holds (and authorized), as the database has it.
    return type(instance)._base_manager.get(pk=instance.pk, company_id=instance.company_id)


def _apply_changes(instance: models.Model, stored: models.Model, fields: dict) -> list[str]:
    """Set the fields on the instance; the verbose names of those that differ from the stored row, in order.

    Compared with the row as stored, not the instance given: a model form has already set its values on that.
    """
    changed = []
    for name, value in fields.items():
        if getattr(stored, name) != value:
            changed.append(str(instance._meta.get_field(name).verbose_name))
        setattr(instance, name, value)
    return changed


@transaction.atomic
def job_create(*, company: Company, actor, **fields) -> Job:
    job = Job.objects.create(company=company, **fields)
    audit_record(company=company, actor=actor, action="job.created", summary=f"{actor} created the job {job}",
                 job_id=job.pk)
    return job


@transaction.atomic
def job_update(*, job: Job, actor, **fields) -> Job:
    changed = _apply_changes(job, _stored(job), fields)
    if changed:
        job.save()
        audit_record(company=job.company, actor=actor, action="job.updated",
                     summary=f"{actor} changed the job {job}: {', '.join(changed)}", job_id=job.pk, fields=changed)
    return job


@transaction.atomic
def job_delete(*, job: Job, actor) -> None:
    audit_record(company=job.company, actor=actor, action="job.deleted", summary=f"{actor} deleted the job {job}",
                 job_id=job.pk)
    job.delete()


@transaction.atomic
def candidate_create(*, company: Company, actor, **fields) -> Candidate:
    candidate = Candidate.objects.create(company=company, created_by=actor, **fields)
    audit_record(company=company, actor=actor, action="candidate.created",
                 summary=f"{actor} added the candidate {candidate}", candidate_id=candidate.pk)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor, **fields) -> Candidate:
    stored = _stored(candidate)
    changed = _apply_changes(candidate, stored, fields)
    if not changed:
        return candidate
    candidate.save()
    stage_label = str(Candidate._meta.get_field("stage").verbose_name)
    if stage_label in changed:
        move = f"from {stored.get_stage_display()} to {candidate.get_stage_display()}"
        audit_record(company=candidate.company, actor=actor, action="candidate.stage_changed",
                     summary=f"{actor} moved {candidate} {move}",
                     candidate_id=candidate.pk, stage=candidate.stage)
        changed.remove(stage_label)
    if changed:
        audit_record(company=candidate.company, actor=actor, action="candidate.updated",
                     summary=f"{actor} changed the candidate {candidate}: {', '.join(changed)}",
                     candidate_id=candidate.pk, fields=changed)
    return candidate


@transaction.atomic
def candidate_delete(*, candidate: Candidate, actor) -> None:
    audit_record(company=candidate.company, actor=actor, action="candidate.deleted",
                 summary=f"{actor} deleted the candidate {candidate}", candidate_id=candidate.pk)
    candidate.delete()
