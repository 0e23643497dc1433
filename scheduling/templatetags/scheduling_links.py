"""The candidate page's list of scheduling links (the candidate page lives in the core, which cannot ask us)."""

from __future__ import annotations

from django import template

from .. import selectors
from ..models import SchedulingRequest
from ..self_scheduling import is_bookable, request_display_status

register = template.Library()

OPEN = (SchedulingRequest.Status.SENT, SchedulingRequest.Status.OPENED)
# By state, not by the status's words (those are in the reader's language); an expired link is secondary.
BADGES = {SchedulingRequest.Status.SENT: "text-bg-info", SchedulingRequest.Status.OPENED: "text-bg-primary",
          SchedulingRequest.Status.BOOKED: "text-bg-success", SchedulingRequest.Status.WITHDRAWN: "text-bg-secondary",
          SchedulingRequest.Status.CANCELLED: "text-bg-warning"}


@register.simple_tag(takes_context=True)
def scheduling_links_of(context, candidate) -> list[dict]:
    """Rows for recruiters and admins (nobody else sees the links): the request, its status, what can be done."""
    member = context.get("membership")
    if member is None or not member.can_recruit:
        return []
    rows = []
    for scheduling_request in selectors.candidate_scheduling_requests(candidate):
        bookable = is_bookable(scheduling_request)
        expired = scheduling_request.status in OPEN and not bookable
        badge = "text-bg-secondary" if expired else BADGES.get(scheduling_request.status, "text-bg-secondary")
        rows.append({
            "request": scheduling_request, "status": request_display_status(scheduling_request), "badge": badge,
            "can_withdraw": scheduling_request.status in OPEN, "can_resend": bookable,
        })
    return rows
