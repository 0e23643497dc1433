"""Workers bring the organizer's calendar event in line with the interview. Ids only; the task base opens the
company's scope (recruitee/tasking.py)."""

from __future__ import annotations

from recruitee.tasking import tenant_task

from .calendar_channel import calendar_invite_sync
from .models import CalendarInvite


@tenant_task(acks_late=True)
def calendar_invite_sync_task(*, company_id: int, interview_id: int) -> None:
    """Idempotent: the invite row records what the provider already has, so a repeat writes nothing twice."""
    if not CalendarInvite.objects.filter(company_id=company_id, interview_id=interview_id).exists():
        return
    retry_in = calendar_invite_sync(interview_id=interview_id)
    if retry_in is not None:
        # The row counts attempts and decides when to stop; like the mailbox, a retry is simply a later task
        # (which also runs when tasks execute eagerly).
        calendar_invite_sync_task.apply_async(kwargs={"company_id": company_id, "interview_id": interview_id},
                                              countdown=retry_in)
