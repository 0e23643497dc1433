""""Use for invitations" on the member's calendar page: which connected calendar sends their invitations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from calendars.access import get_connection_for_member

from .invitation_calendar import invitation_calendar_set


@require_POST
def invitation_calendar_use(request: HttpRequest, company_slug: str, connection_id: int) -> HttpResponse:
    connection = get_connection_for_member(request.membership, connection_id)
    if connection.member_id != request.membership.pk:
        raise Http404  # admins manage connections, but whose calendar sends invitations is the owner's choice
    try:
        invitation_calendar_set(member=request.membership, connection=connection, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your invitations are sent from %(calendar)s from now on. Interviews already "
                                    "scheduled stay with the calendar they were sent from.") % {"calendar": connection})
    return redirect("calendars:index", company_slug=company_slug)
