"""Writes of the operations pages."""

from django.db import transaction

from recruitee.tasking import queue_after_commit

from .models import WorkerPing
from .tasks import worker_ping_task


def worker_ping_request(*, company, actor) -> WorkerPing:
    """Ask a worker to answer. No audit entry: the ping row itself records who asked and when, and it changes
    nothing of the company's data."""
    with transaction.atomic():
        ping = WorkerPing.objects.create(company=company, requested_by=actor)
        queue_after_commit(worker_ping_task, company_id=company.pk, ping_id=ping.pk)
    return ping
