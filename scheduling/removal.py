"""What removing a member means for scheduling, shown on the confirmation page (hook of recruitee.tenancy.removal)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from recruitee.tenancy.models import Membership
from recruitee.tenancy.removal import ConsequenceItem, RemovalConsequence, membership_removal_consequences

from .models import Interview, Participant

LISTED = 10  # a longer list would hide the button; the summary gives the full count


def _interviews(n: int) -> str:
    return f"{n} upcoming interview{'s' if n != 1 else ''}"


def _consequence(summary: str, interviews, company_slug: str) -> RemovalConsequence:
    listed = list(interviews.select_related("candidate")[:LISTED])
    return RemovalConsequence(
        summary=summary,
        items=[
            ConsequenceItem(
                label=f"{interview.title} with {interview.candidate.full_name}", when=interview.start,
                url=reverse("scheduling:interview-detail",
                            kwargs={"company_slug": company_slug, "interview_id": interview.pk}),
            )
            for interview in listed
        ],
        more=max(0, interviews.count() - len(listed)),
    )


@receiver(membership_removal_consequences, dispatch_uid="scheduling.upcoming_interviews")
def upcoming_interviews(sender, *, membership: Membership, **kwargs) -> list[RemovalConsequence]:
    upcoming = Interview.objects.filter(
        company=membership.company, status=Interview.Status.SCHEDULED, end__gt=timezone.now()
    ).order_by("start", "pk")
    name, slug = membership.user.display_name, membership.company.slug
    consequences = []
    attending = upcoming.filter(
        pk__in=Participant.objects.filter(company=membership.company, member=membership,
                                          role=Participant.Role.INTERVIEWER).values("interview_id")
    )
    if count := attending.count():
        consequences.append(_consequence(f"{name} is an interviewer in {_interviews(count)}.", attending, slug))
    organizing = upcoming.filter(organizer=membership)
    if count := organizing.count():
        consequences.append(_consequence(
            f"{name} organizes {_interviews(count)}; without their organizer these can no longer be rescheduled.",
            organizing, slug,
        ))
    return consequences
