"""What removing a member means for scheduling, shown on the confirmation page (hook of recruitee.tenancy.removal)."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitee.tenancy.models import Membership
from recruitee.tenancy.removal import ConsequenceItem, RemovalConsequence, membership_removal_consequences

from .models import Interview, Participant

LISTED = 10  # a longer list would hide the button; the summary gives the full count


def _consequence(summary: str, interviews, company_slug: str) -> RemovalConsequence:
    listed = list(interviews.select_related("candidate")[:LISTED])
    return RemovalConsequence(
        summary=summary,
        items=[
            ConsequenceItem(
                label=_("%(title)s with %(candidate)s") % {"title": interview.title,
                                                           "candidate": interview.candidate.full_name},
                when=interview.start,
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
        consequences.append(_consequence(
            ngettext("%(name)s is an interviewer in %(count)d upcoming interview.",
                     "%(name)s is an interviewer in %(count)d upcoming interviews.", count)
            % {"name": name, "count": count}, attending, slug))
    organizing = upcoming.filter(organizer=membership)
    if count := organizing.count():
        consequences.append(_consequence(
            ngettext("%(name)s organizes %(count)d upcoming interview; without their organizer these can no longer "
                     "be rescheduled.",
                     "%(name)s organizes %(count)d upcoming interviews; without their organizer these can no longer "
                     "be rescheduled.", count) % {"name": name, "count": count},
            organizing, slug,
        ))
    return consequences
