"""How the audit entries of jobs and candidates are said (registered in RecruitingConfig.ready())."""

from django.utils.translation import gettext as _

from recruitee.tenancy.audit_sentences import Said, Sentence, listed, register_sentences

from .models import Candidate, Job
from .pipeline import STAGE_CHANGED


def _fields(model, said: Said) -> str:
    return listed(model._meta.get_field(name).verbose_name for name in said.data["changed"])


def stage_changed(said: Said) -> str | None:
    values = {"actor": said.actor, "candidate": said.data["candidate"],
              "before": Candidate.Stage(said.data["previous_stage"]).label,
              "after": Candidate.Stage(said.data["stage"]).label}
    scheduled = said.data.get("reason") == "interview_scheduled"
    if said.actor and scheduled:
        return _("%(actor)s scheduled an interview and moved %(candidate)s from %(before)s to %(after)s") % values
    if said.actor:
        return _("%(actor)s moved %(candidate)s from %(before)s to %(after)s") % values
    if scheduled:
        return _("An interview booked by %(candidate)s moved them from %(before)s to %(after)s") % values
    return None  # nobody to name (their account is gone): the summary names them


register_sentences({
    "job.created": Sentence(
        lambda said: _("%(actor)s created the job %(job)s") % {"actor": said.actor, "job": said.data["job"]},
        needs=("job",), needs_actor=True),
    "job.updated": Sentence(
        lambda said: _("%(actor)s changed the job %(job)s: %(fields)s") % {
            "actor": said.actor, "job": said.data["job"], "fields": _fields(Job, said)},
        needs=("job", "changed"), needs_actor=True),
    "job.deleted": Sentence(
        lambda said: _("%(actor)s deleted the job %(job)s") % {"actor": said.actor, "job": said.data["job"]},
        needs=("job",), needs_actor=True),
    "candidate.created": Sentence(
        lambda said: _("%(actor)s added the candidate %(candidate)s") % {
            "actor": said.actor, "candidate": said.data["candidate"]},
        needs=("candidate",), needs_actor=True),
    "candidate.updated": Sentence(
        lambda said: _("%(actor)s changed the candidate %(candidate)s: %(fields)s") % {
            "actor": said.actor, "candidate": said.data["candidate"], "fields": _fields(Candidate, said)},
        needs=("candidate", "changed"), needs_actor=True),
    "candidate.deleted": Sentence(
        lambda said: _("%(actor)s deleted the candidate %(candidate)s") % {
            "actor": said.actor, "candidate": said.data["candidate"]},
        needs=("candidate",), needs_actor=True),
    STAGE_CHANGED: Sentence(stage_changed, needs=("candidate", "stage", "previous_stage")),
})
