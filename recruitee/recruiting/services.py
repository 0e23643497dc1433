"""Writes for jobs and candidates. Each runs in one transaction and leaves an audit entry."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record, in_english

from .models import Candidate, Job
from .pipeline import STAGE_CHANGED, StageChange, moves_forward


def _stored(instance: models.Model) -> models.Model:
    # The row of an object the caller already holds (and authorized), as the database has it, locked until the
    # transaction ends: of two changes at once the later one waits and compares with what the first one wrote.
    return type(instance)._base_manager.select_for_update().get(pk=instance.pk, company_id=instance.company_id)


def _apply_changes(instance: models.Model, stored: models.Model, fields: dict) -> list[str]:
    """Set the fields on the instance; the names of those that differ from the stored row, in order.

    Compared with the row as stored, not the instance given: a model form has already set its values on that.
    """
    changed = []
    for name, value in fields.items():
        if getattr(stored, name) != value:
            changed.append(name)
        setattr(instance, name, value)
    return changed


def _labels(model: type[models.Model], names: list[str]) -> list[str]:
    """The fields' verbose names in English, as the audit trail's summaries keep them (pages say them from the
    names, in their reader's language)."""
    with in_english():
        return [str(model._meta.get_field(name).verbose_name) for name in names]


@transaction.atomic
def job_create(*, company: Company, actor, **fields) -> Job:
    job = Job.objects.create(company=company, **fields)
    audit_record(company=company, actor=actor, action="job.created", summary=f"{actor} created the job {job}",
                 job_id=job.pk, job=job.title)
    return job


@transaction.atomic
def job_update(*, job: Job, actor, **fields) -> Job:
    changed = _apply_changes(job, _stored(job), fields)
    if changed:
        job.save()
        labels = _labels(Job, changed)
        audit_record(company=job.company, actor=actor, action="job.updated",
                     summary=f"{actor} changed the job {job}: {', '.join(labels)}", job_id=job.pk, fields=labels,
                     job=job.title, changed=changed)
    return job


@transaction.atomic
def job_delete(*, job: Job, actor) -> None:
    audit_record(company=job.company, actor=actor, action="job.deleted", summary=f"{actor} deleted the job {job}",
                 job_id=job.pk, job=job.title)
    job.delete()


@transaction.atomic
def candidate_create(*, company: Company, actor, **fields) -> Candidate:
    candidate = Candidate.objects.create(company=company, created_by=actor, **fields)
    audit_record(company=company, actor=actor, action="candidate.created",
                 summary=f"{actor} added the candidate {candidate}", candidate_id=candidate.pk,
                 candidate=candidate.full_name)
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, actor, **fields) -> Candidate:
    stored = _stored(candidate)
    changed = _apply_changes(candidate, stored, fields)
    if not changed:
        return candidate
    candidate.save()
    if "stage" in changed:
        _record_stage_change(StageChange(candidate=candidate, before=stored.stage, after=candidate.stage),
                             actor=actor, summary=f"{actor} moved {candidate}")
        changed.remove("stage")
    if changed:
        labels = _labels(Candidate, changed)
        audit_record(company=candidate.company, actor=actor, action="candidate.updated",
                     summary=f"{actor} changed the candidate {candidate}: {', '.join(labels)}",
                     candidate_id=candidate.pk, fields=labels, candidate=candidate.full_name, changed=changed)
    return candidate


@transaction.atomic
def candidate_delete(*, candidate: Candidate, actor) -> None:
    audit_record(company=candidate.company, actor=actor, action="candidate.deleted",
                 summary=f"{actor} deleted the candidate {candidate}", candidate_id=candidate.pk,
                 candidate=candidate.full_name)
    candidate.delete()


def _record_stage_change(change: StageChange, *, actor, summary: str, **data) -> None:
    """The audit entry of a stage change, on the candidate (the pipeline reads when a card entered its column)."""
    candidate = change.candidate
    with in_english():
        summary = f"{summary} from {change.before_label} to {change.after_label}"
    audit_record(company=candidate.company, actor=actor, action=STAGE_CHANGED, target=candidate, summary=summary,
                 candidate_id=candidate.pk, stage=change.after, previous_stage=change.before,
                 candidate=candidate.full_name, **data)


def _move(candidate: Candidate, *, stored: Candidate, stage: str) -> StageChange:
    change = StageChange(candidate=candidate, before=stored.stage, after=stage)
    stored.stage = candidate.stage = stage
    stored.save(update_fields=["stage", "updated_at"])
    return change


@transaction.atomic
def candidate_move(*, candidate: Candidate, stage: str, actor) -> StageChange | None:
    """Move a candidate to another stage (the pipeline board); None when they are already there.

    Moves made at once (two tabs) both count, the later one last: each is recorded from the stage it really left.
    """
    if stage not in Candidate.Stage.values:
        raise ValidationError({"stage": _("Pick one of the listed stages.")})
    stored = _stored(candidate)
    if stored.stage == stage:
        candidate.stage = stage
        return None
    change = _move(candidate, stored=stored, stage=stage)
    _record_stage_change(change, actor=actor, summary=f"{actor} moved {candidate}")
    return change


@transaction.atomic
def candidate_stage_on_schedule(*, candidate: Candidate, actor) -> StageChange | None:
    """Scheduling an interview moves the candidate to the stage the company chose (Company.stage_on_schedule).

    Forward only: a candidate already at or past that stage, or in Offer, Hired or Rejected, stays where they are;
    so does everyone when the company chose not to move. The move, if any, is returned and in the audit trail.
    `actor` is whoever scheduled (None: the candidate booked it themselves).
    """
    stored = _stored(candidate)
    target = candidate.company.stage_on_schedule
    if not target or not moves_forward(stored.stage, target):
        candidate.stage = stored.stage
        return None
    change = _move(candidate, stored=stored, stage=target)
    who = f"{actor} scheduled an interview and moved {candidate}" if actor else \
        f"An interview booked by {candidate} moved them"
    _record_stage_change(change, actor=actor, summary=who, reason="interview_scheduled")
    return change
