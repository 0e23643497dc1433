import logging
import smtplib
import socket

from celery import shared_task
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_scopes import scope

from .models import WorkerHeartbeat, WorkerPing

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, TimeoutError),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=6,
)
def system_email_deliver_task(*, to: list[str], subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    logger.info("Delivered system email %r to %d recipient(s)", subject, len(to))


@shared_task
def worker_heartbeat_task() -> None:
    WorkerHeartbeat.objects.update_or_create(
        name="default", defaults={"beat_at": timezone.now(), "hostname": socket.gethostname()}
    )


@shared_task
def worker_ping_task(*, company_id: int, ping_id: int) -> None:
    with scope(company=company_id):
        WorkerPing.objects.filter(company_id=company_id, pk=ping_id, answered_at__isnull=True).update(
            answered_at=timezone.now(), hostname=socket.gethostname()
        )
