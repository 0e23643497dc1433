"""Every member's calendar connections for the admins' page, and reminding a member without one to connect.

A reminder is an email from the admin who asks (team mail: it counts toward their sending limits and replies go
to them), at most one per member a day. Each reminder is an audit entry about the member, and those entries are
also where the page and the daily limit read the last reminder from: the audit trail already keeps exactly that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from recruitee.emails import queue_system_email, render_system_email
from recruitee.tenancy.languages import ago, member_language, span_until, speaking
from recruitee.tenancy.models import AuditEntry, Company, Membership
from recruitee.tenancy.refusals import refusals_recorded
from recruitee.tenancy.services import audit_record

from .models import CalendarConnection

REMIND_AGAIN_AFTER = timedelta(hours=24)
REMINDED = "calendar.connect_reminder_sent"
_MEMBER = Membership._meta.label_lower


class ReminderRefused(Exception):
    """Why no reminder went out, in words for the admin who asked."""


@dataclass(frozen=True)
class MemberCalendars:
    member: Membership
    connections: list[CalendarConnection]
    reminded_at: datetime | None

    @property
    def remind_again_at(self) -> datetime | None:
        return self.reminded_at + REMIND_AGAIN_AFTER if self.reminded_at else None

    @property
    def reminded_ago(self) -> str:
        return ago(self.reminded_at) if self.reminded_at else ""

    @property
    def remind_again_in(self) -> str:
        return span_until(self.remind_again_at) if self.remind_again_at else ""

    @property
    def may_be_reminded(self) -> bool:
        return not self.connections and (self.reminded_at is None or self.remind_again_at <= timezone.now())


def _last_reminders(company: Company, member: Membership | None = None) -> dict[int, datetime]:
    """When each member of the company (or just `member`) was last reminded: one grouped read over the audit
    trail's target index."""
    entries = AuditEntry.objects.filter(company=company, target_type=_MEMBER, action=REMINDED)
    if member is not None:
        entries = entries.filter(target_id=member.pk)
    rows = entries.values("target_id").annotate(last=Max("created_at")).order_by()
    return {row["target_id"]: row["last"] for row in rows}


def members_calendars(*, company: Company) -> list[MemberCalendars]:
    """Every member, by name, with their connections (none: not connected) and their last reminder. Three reads
    whatever the size of the team."""
    members = list(Membership.objects.filter(company=company).select_related("user")
                   .order_by("user__full_name", "user__email"))
    connections: dict[int, list[CalendarConnection]] = defaultdict(list)
    for connection in CalendarConnection.objects.filter(company=company).order_by("provider", "account_email"):
        connections[connection.member_id].append(connection)
    reminded = _last_reminders(company)
    return [MemberCalendars(member=member, connections=connections[member.pk], reminded_at=reminded.get(member.pk))
            for member in members]


def _send(member: Membership, sender: Membership) -> None:
    """In the member's language, whichever the admin who asks reads."""
    path = reverse("calendars:index", kwargs={"company_slug": member.company.slug})
    with speaking(member_language(member)):
        email = render_system_email("calendar_connect_reminder", {
            "member_name": member.user.display_name, "sender_name": sender.user.display_name,
            "company_name": member.company.name, "connect_url": settings.SITE_URL + path,
        })
    queue_system_email(to=[member.user.email], email=email, company=member.company, sender=sender)


def connect_reminder_send(*, member: Membership, sender: Membership) -> None:
    """Email `member` a reminder to connect a calendar, from `sender` (an admin of the same company).

    Raises ReminderRefused when the member has a calendar already, is the sender, or was reminded less than a day
    ago; or a ValidationError when the sender is over a sending limit (nothing is sent then, the refusal audited).
    """
    with refusals_recorded(), transaction.atomic():
        # The member's row lock makes two admins who click at the same moment send one reminder, not two.
        member = Membership.objects.select_for_update().select_related("user", "company") \
            .get(company=sender.company, pk=member.pk)
        name = member.user.display_name
        if member.pk == sender.pk:
            raise ReminderRefused(_("That is you: connect your own calendar under Your calendars."))
        if CalendarConnection.objects.filter(company=member.company, member=member).exists():
            raise ReminderRefused(_("%(name)s has connected a calendar already.") % {"name": name})
        last = _last_reminders(member.company, member).get(member.pk)
        if last is not None and timezone.now() - last < REMIND_AGAIN_AFTER:
            raise ReminderRefused(
                _("%(name)s was reminded %(ago)s. You can remind them again in %(span)s.")
                % {"name": name, "ago": ago(last), "span": span_until(last + REMIND_AGAIN_AFTER)}
            )
        _send(member, sender)
        audit_record(company=member.company, actor=sender.user, action=REMINDED, target=member,
                     summary=f"{sender.user} reminded {member.user} to connect a calendar", email=member.user.email,
                     member=name)
