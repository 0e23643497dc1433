"""Which connected calendar sends an organizer's invitations, when they have several (Google and Outlook).

A member marks one as theirs for invitations (no mark: the first one connected). Step 2 and scheduling links offer
"Send from" among their working connections; the interview (or the link) keeps the one chosen, and everything
after (the provider event, its meeting, answers, reschedule, cancel) uses that one, not the member's current mark.
A kept calendar that was disconnected since is said so where it matters, and the people it invited are told by
email instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from calendars.models import CalendarConnection
from recruitee.accounts.models import User
from recruitee.tenancy.models import Membership
from recruitee.tenancy.services import audit_record, in_english

from .models import CalendarInvite, Interview, InvitationCalendar, SchedulingRequest


def active_connections(member: Membership) -> list[CalendarConnection]:
    """The member's working connections, the first connected first."""
    return list(CalendarConnection.objects.filter(company=member.company_id, member=member,
                                                  status=CalendarConnection.Status.ACTIVE)
                .order_by("connected_at", "pk"))


def invitation_connection(member: Membership,
                          connections: list[CalendarConnection] | None = None) -> CalendarConnection | None:
    """The connection the member's invitations are sent from by default: the one they marked, while it works;
    else their first working one; None without any."""
    connections = active_connections(member) if connections is None else connections
    if not connections:
        return None
    if len(connections) > 1:
        marked = (InvitationCalendar.objects.filter(company=member.company_id, member=member)
                  .values_list("connection_id", flat=True).first())
        for connection in connections:
            if connection.pk == marked:
                return connection
    return connections[0]


def account_label(connection: CalendarConnection) -> str:
    """The connection's name as kept on an interview or a link ("Outlook Calendar · b@y")."""
    with in_english():
        return str(connection)


def sender_choices(member: Membership) -> tuple[list[CalendarConnection], CalendarConnection | None]:
    """(the working connections, the default one): a "Send from" choice is offered when there are two or more."""
    connections = active_connections(member)
    return connections, invitation_connection(member, connections)


def chosen_connection(member: Membership, value: object) -> CalendarConnection | None:
    """The member's own working connection with this id (a posted "Send from" value); None for anything else."""
    text = str(value or "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return next((c for c in active_connections(member) if c.pk == int(text)), None)


def invitation_calendar_set(*, member: Membership, connection: CalendarConnection, actor: User) -> None:
    """Mark `connection` (one of the member's own working ones) as the calendar their invitations are sent from."""
    if connection.member_id != member.pk or connection.company_id != member.company_id:
        raise ValidationError(_("That calendar is not one of yours."))
    if connection.status != CalendarConnection.Status.ACTIVE:
        raise ValidationError(_("%(calendar)s needs to be reconnected before it can send invitations.")
                              % {"calendar": connection})
    with transaction.atomic():
        InvitationCalendar.objects.update_or_create(company=member.company, member=member,
                                                    defaults={"connection": connection})
        with in_english():
            audit_record(company=member.company, actor=actor, action="calendar.invitations_from", target=connection,
                         summary=f"{member.user.display_name} sends invitations from {connection}",
                         detail=f"Invitations are sent from {connection}", member=member.user.display_name,
                         provider=connection.provider, account=connection.account_email)


# --- the calendar an interview was sent from -----------------------------------------------------------------------


@dataclass(frozen=True)
class SendingCalendar:
    """The calendar that invites an interview's people: `connection` when it works; else `lost` with a `label`
    that names it (disconnected, or needing reconnection). Neither: the organizer has no calendar at all."""

    connection: CalendarConnection | None
    label: str
    lost: bool = False

    @property
    def usable(self) -> bool:
        return self.connection is not None and not self.lost

    @property
    def lost_reason(self) -> str:
        if not self.lost:
            return ""
        if self.connection is not None:
            return f"{self.label} needs to be reconnected"
        return f"{self.label} is no longer connected"

    @property
    def lost_words(self) -> str:
        """`lost_reason` in the reader's language, for pages and errors; `lost_reason` stays English for what is
        stored (the audit log, the interview's history)."""
        if not self.lost:
            return ""
        if self.connection is not None:
            return _("%(calendar)s needs to be reconnected") % {"calendar": self.label}
        return _("%(calendar)s is no longer connected") % {"calendar": self.label}


def _of(connection: CalendarConnection | None, remembered: str) -> SendingCalendar:
    if connection is None:
        return SendingCalendar(None, remembered, lost=bool(remembered))
    return SendingCalendar(connection, str(connection),
                           lost=connection.status != CalendarConnection.Status.ACTIVE)


def interview_calendar(interview: Interview) -> SendingCalendar:
    """The calendar the interview is sent from: the one its event is in; else the one chosen when it was scheduled;
    for interviews older than the choice, the organizer's calendar for invitations (the old rule)."""
    invite = CalendarInvite.objects.filter(company=interview.company_id, interview=interview) \
        .select_related("connection").first()
    if invite is not None:
        return _of(invite.connection, interview.calendar_account or invite.provider_label)
    if interview.calendar_connection_id is not None or interview.calendar_account:
        return _of(interview.calendar_connection, interview.calendar_account)
    if interview.organizer is None:
        return SendingCalendar(None, "")
    return _of(invitation_connection(interview.organizer), "")


def request_calendar(scheduling_request: SchedulingRequest) -> SendingCalendar:
    """The calendar a scheduling link's interview will be sent from, as for interviews."""
    if scheduling_request.calendar_connection_id is not None or scheduling_request.calendar_account:
        return _of(scheduling_request.calendar_connection, scheduling_request.calendar_account)
    return _of(invitation_connection(scheduling_request.organizer), "")
