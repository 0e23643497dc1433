import logging
import socket

from celery import shared_task
from django.utils import timezone

from recruitee.emails import RenderedEmail, queue_system_email
from recruitee.tasking import tenant_task

from .models import WorkerHeartbeat, WorkerPing

logger = logging.getLogger(__name__)


@shared_task
def system_email_deliver_task(*, to: list[str], subject: str, text: str, html: str) -> None:
    """Emails queued by an older release: they become outbox rows now, delivered and recorded like all mail."""
    queue_system_email(to=to, email=RenderedEmail(subject=subject, text=text, html=html))
    logger.info("Moved a queued system email %r to the outbox", subject)


@shared_task
def worker_heartbeat_task() -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="default", defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()}
    )


@tenant_task()
def worker_ping_task(*, company_id: int, ping_id: int) -> None:
    WorkerPing.objects.filter(company_id=company_id, pk=ping_id, answered_at__isnull=True).update(
        answered_at=timezone.now(), hostname=socket.gethostname()
    )
