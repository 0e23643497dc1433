"""What the recruiter chose in step 1, before (or apart from) an Interview row: previews and services share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from recruitee.recruiting.models import Candidate, Job
from recruitee.tenancy.models import Membership

from .models import Interview, InterviewKind, Participant


@dataclass
class Plan:
    kind: str
    title: str
    start: datetime  # aware
    end: datetime  # aware
    time_zone: str
    candidate: Candidate
    job: Job | None
    organizer: Membership
    interviewers: list[Membership] = field(default_factory=list)
    invite_candidate: bool = True
    location: str = ""
    video_link: str = ""
    note: str = ""
    # An OnlineMeeting value: the organizer's calendar makes the video meeting, whose join link becomes video_link.
    online_meeting: str = ""
    # A cancellation's reason and note to the candidate: empty until the event is (about to be) cancelled.
    cancellation_reason: str = ""
    cancellation_note: str = ""
    # The language of the message to all interviewers (one of settings.LANGUAGES); empty: the organizer's.
    interviewers_language: str = ""

    @property
    def kind_label(self) -> str:
        return InterviewKind(self.kind).label

    @classmethod
    def of(cls, interview: Interview) -> Plan:
        """The plan an existing interview stands for (its current people, time and place)."""
        participants = list(interview.participants.all())
        member_ids = [p.member_id for p in participants if p.role == Participant.Role.INTERVIEWER and p.member_id]
        members = {m.pk: m for m in Membership.objects.filter(pk__in=member_ids).select_related("user", "company")}
        return cls(
            kind=interview.kind, title=interview.title, start=interview.start, end=interview.end,
            time_zone=interview.time_zone, candidate=interview.candidate, job=interview.job,
            organizer=interview.organizer, interviewers=[members[i] for i in member_ids if i in members],
            invite_candidate=any(p.role == Participant.Role.CANDIDATE for p in participants),
            location=interview.location, video_link=interview.video_link, note=interview.note,
            online_meeting=interview.online_meeting, cancellation_reason=interview.cancellation_reason,
            cancellation_note=interview.cancellation_note, interviewers_language=interview.interviewers_language,
        )
