"""Workers bring the organizer's calendar event in line with the interview, and the beat sends due reminders. Ids
only; the task base opens the company's scope (recruitee/tasking.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from recruitee.tasking import company_context, tenant_task
from recruitee.tenancy.models import Company

from .calendar_channel import calendar_invite_sync
from .models import CalendarInvite
from .reminders import companies_with_upcoming_interviews, reminders_send_due

logger = logging.getLogger(__name__)


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


@shared_task
def reminders_send_due_task() -> int:
    """Beat, every minute: the reminders due now, company by company, each in its own scope. Returns how many it
    sent. Safe to run twice at once: each reminder is claimed in the database before it is sent."""
    now = timezone.now()
    sent = 0
    for company_id in companies_with_upcoming_interviews(now=now):
        with company_context(company_id):
            try:
                company = Company.objects.get(pk=company_id)
                sent += len(reminders_send_due(company=company, now=now))
            except Exception:
                # One company's trouble must not hold back every other company's reminders.
                logger.exception("Sending the due reminders of company %s failed", company_id)
    return sent
