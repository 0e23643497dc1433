from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from recruitee.tenancy.access import require_admin
from recruitee.tenancy.languages import ago, span_since

from . import services
from .models import WorkerHeartbeat, WorkerPing

# Beat touches the heartbeat every 30 s; a few missed beats mean the worker or beat is down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=2)


@require_GET
def system_status(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    heartbeat = WorkerHeartbeat.objects.filter(name="default").first()
    healthy = bool(heartbeat and timezone.now() - heartbeat.beat_at < HEARTBEAT_STALE_AFTER)
    pings = WorkerPing.objects.filter(company=request.company)[:5]
    return render(request, "ops/system_status.html", {
        "heartbeat": heartbeat, "healthy": healthy, "pings": pings,
        # Under a minute ago() says "just now": beat touches the heartbeat every 30 s.
        "heartbeat_ago": ago(heartbeat.beat_at) if heartbeat else "",
        "heartbeat_silence": span_since(heartbeat.beat_at, depth=2) if heartbeat else "",
    })


@require_POST
def worker_ping_create(request: HttpRequest, company_slug: str) -> HttpResponse:
    require_admin(request.membership)
    ping = services.worker_ping_request(company=request.company, actor=request.user)
    return redirect("ops:ping-detail", company_slug=company_slug, ping_id=ping.pk)


@require_GET
def worker_ping_detail(request: HttpRequest, company_slug: str, ping_id: int) -> HttpResponse:
    require_admin(request.membership)
    ping = get_object_or_404(WorkerPing, company=request.company, pk=ping_id)
    template = "ops/_ping.html" if request.htmx else "ops/ping_detail.html"
    return render(request, template, {"ping": ping})
