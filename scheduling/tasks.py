"""Workers bring the organizer's calendar event in line with the interview. Ids only; the scope is opened here."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope

from .models import CalendarInvite
from .services import calendar_invite_sync


@shared_task(acks_late=True)
def calendar_invite_sync_task(company_id: int, interview_id: int) -> None:
    """Idempotent: the invite row records what the provider already has, so a repeat writes nothing twice."""
    with scope(company=company_id):
        if not CalendarInvite.objects.filter(company_id=company_id, interview_id=interview_id).exists():
            return
        retry_in = calendar_invite_sync(interview_id=interview_id)
    if retry_in is not None:
        # The row counts attempts and decides when to stop; like the mailbox, a retry is simply a later task
        # (which also runs when tasks execute eagerly).
        calendar_invite_sync_task.apply_async((company_id, interview_id), countdown=retry_in)
