"""A job's pipeline: its candidates by stage as the board shows them, and which moves count as forward."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from recruitee.tenancy.models import AuditEntry

from .models import Candidate, Job

Stage = Candidate.Stage

# Cards per column; the rest is one link away in the candidate list (filtered by job and stage).
COLUMN_LIMIT = 50
STAGE_CHANGED = "candidate.stage_changed"

# The way candidates usually go. Rejected stands outside it: a decision, not a step.
PROGRESSION = (Stage.APPLIED, Stage.SCREENING, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
# Reached by a person's decision; nothing automatic takes a candidate out of these.
DECIDED = frozenset({Stage.OFFER, Stage.HIRED, Stage.REJECTED})


def moves_forward(current: str, target: str) -> bool:
    """Whether an automatic move from `current` to `target` is a step forward (never back, never out of a decision)."""
    if current in DECIDED or current not in PROGRESSION or target not in PROGRESSION:
        return False
    return PROGRESSION.index(target) > PROGRESSION.index(current)


@dataclass(frozen=True)
class StageChange:
    """A candidate's move from one stage to another, as the audit trail and the people who made it read it."""

    candidate: Candidate
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return Stage(self.before).label

    @property
    def after_label(self) -> str:
        return Stage(self.after).label

    def describe(self) -> str:
        """For the person who made the move, in their language (the audit entry is written in English)."""
        return _("%(candidate)s moved from %(before)s to %(after)s.") % {
            "candidate": self.candidate, "before": self.before_label, "after": self.after_label}


def stage_on_schedule(candidate: Candidate) -> StageChange | None:
    """Where scheduling an interview would move this candidate under the company's setting; None: nowhere.

    Reads the candidate as given (for a notice before scheduling); the service checks again under a row lock.
    """
    target = candidate.company.stage_on_schedule
    if not target or not moves_forward(candidate.stage, target):
        return None
    return StageChange(candidate=candidate, before=candidate.stage, after=target)


@dataclass
class Column:
    stage: str
    label: str
    count: int = 0
    cards: list[Candidate] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Candidates in this stage beyond the cards shown."""
        return self.count - len(self.cards)

    @property
    def next_stage(self) -> str | None:
        """The step after this stage, which a card's "Move to" menu offers first; None after Hired or Rejected."""
        if self.stage not in PROGRESSION or self.stage == PROGRESSION[-1]:
            return None
        return PROGRESSION[PROGRESSION.index(self.stage) + 1]


def pipeline_columns(*, job: Job, limit: int = COLUMN_LIMIT) -> list[Column]:
    """One column per stage, in the fixed order, with the stage's count and its first `limit` cards.

    Two queries however large the job. The database numbers and counts each stage's candidates (window functions)
    and sends only the cards shown, most recently changed first, so a card just moved shows at the top of its
    column. Then the shown cards' last moves, from the audit trail: each card carries `in_stage_since` (its last
    stage change, or when the candidate was added if they never moved) and `moved` (which of the two).
    """
    by_stage = {"partition_by": [F("stage")]}
    candidates = (
        Candidate.objects.filter(company_id=job.company_id, job=job, stage__in=Stage.values)
        .only("pk", "company_id", "job_id", "full_name", "stage", "created_at", "updated_at")
        .annotate(
            position=Window(RowNumber(), order_by=[F("updated_at").desc(), F("pk").desc()], **by_stage),
            stage_count=Window(Count("pk"), **by_stage),
        )
        .filter(position__lte=limit)
        .order_by("stage", "position")
    )
    columns = {value: Column(stage=value, label=label) for value, label in Stage.choices}
    for candidate in candidates:
        column = columns[candidate.stage]
        column.count = candidate.stage_count
        column.cards.append(candidate)
    shown = [card for column in columns.values() for card in column.cards]
    moves = dict(
        AuditEntry.objects.filter(company_id=job.company_id, target_type=Candidate._meta.label_lower,
                                  target_id__in=[card.pk for card in shown], action=STAGE_CHANGED)
        .values("target_id").annotate(last=Max("created_at")).values_list("target_id", "last")
    ) if shown else {}
    for card in shown:
        card.moved = card.pk in moves
        card.in_stage_since = moves.get(card.pk, card.created_at)
    return list(columns.values())
