"""The candidate page's list of scheduling links (the candidate page lives in the core, which cannot ask us)."""

from __future__ import annotations

from django import template

from .. import selectors
from ..models import SchedulingRequest
from ..self_scheduling import is_bookable, request_display_status

register = template.Library()

OPEN = (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)
BADGES = {"Link sent": "text-bg-info", "Opened": "text-bg-primary", "Booked": "text-bg-success",
          "Expired": "text-bg-secondary", "Withdrawn": "text-bg-secondary",
          "Cancelled by the candidate": "text-bg-warning"}


@register.simple_tag(takes_context=True)
def scheduling_links_of(context, candidate) -> list[dict]:
    """Rows for recruiters and admins (nobody else sees the links): the request, its status, what can be done."""
    member = context.get("membership")
    if member is None or not member.can_recruit:
        return []
    rows = []
    for scheduling_request in selectors.candidate_scheduling_requests(candidate):
        status = request_display_status(scheduling_request)
        rows.append({
            "request": scheduling_request, "status": status, "badge": BADGES.get(status, "text-bg-secondary"),
            "can_withdraw": scheduling_request.status in OPEN,
            "can_resend": is_bookable(scheduling_request),
        })
    return rows
