"""The Interviews page: every interview the member may see, filtered, searched and paged, and the scheduling links
still waiting for the candidate to book."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from recruitee.zones import zone_or_utc

from . import interview_list
from .interview_list import AWAITING, WHEN_CHOICES, InterviewFilters


@require_GET
def interview_list_view(request: HttpRequest, company_slug: str) -> HttpResponse:
    member, now = request.membership, timezone.now()
    zone = zone_or_utc(request.user.time_zone)
    filters = InterviewFilters.from_query(request.GET, member)
    page = interview_list.interview_page(member=member, filters=filters, number=request.GET.get("page"), now=now)
    if filters.when == AWAITING:
        rows = interview_list.request_rows(list(page.object_list), now=now)
    else:
        rows = interview_list.interview_rows(list(page.object_list), zone=zone, now=now)
    tabs = [(value, label, filters.link(when=value if value != "upcoming" else ""))
            for value, label in WHEN_CHOICES if member.can_recruit or value != AWAITING]
    partial = bool(request.htmx and request.htmx.target == "results")
    context = {
        "page": page, "rows": rows, "filters": filters, "zone": zone, "tabs": tabs, "oob": partial,
        "mine_link": filters.link(who=""), "everyone_link": filters.link(who="everyone"),
        "clear_link": filters.link(job="", interviewer="", candidate="", q=""),
        "clear_candidate_link": filters.link(candidate=""),
        "filter_candidate": interview_list.candidate_choice(member=member, filters=filters),
    }
    if not partial:  # the form's options stay in the page while htmx swaps the results
        context.update(interview_list.filter_choices(member=member))
    return render(request, "scheduling/_interview_list_results.html" if partial else "scheduling/interview_list.html",
                  context)
