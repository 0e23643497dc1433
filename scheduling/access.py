"""Fetch-and-authorize: the same 404 for a missing interview and another company's."""

from django.http import Http404

from recruitee.tenancy.models import Membership

from .models import Interview, SchedulingRequest


def get_interview_for_member(member: Membership, interview_id: int) -> Interview:
    """Recruiters and admins see the company's interviews; an interviewer sees those they organize or attend."""
    interviews = Interview.objects.filter(company=member.company).select_related(
        "candidate__company", "job", "organizer__user", "organizer__company")
    if not member.can_recruit:
        interviews = interviews.filter(participants__member=member) | interviews.filter(organizer=member)
    interview = interviews.filter(pk=interview_id).distinct().first()
    if interview is None:
        raise Http404
    return interview


def get_scheduling_request_for_member(member: Membership, request_id: int) -> SchedulingRequest:
    """Scheduling links are the recruiters' and admins': an interviewer, like another company, finds none."""
    if not member.can_recruit:
        raise Http404
    found = (SchedulingRequest.objects.filter(company=member.company, pk=request_id)
             .select_related("candidate__company", "organizer__user", "interview").first())
    if found is None:
        raise Http404
    return found
