"""Sending limits: how many recipients a member and a company may email in a short window and in a day.

Every email a person makes the product send (compose, team invitations, interview invitations and updates) names
that person as its `sender`, and `message_send` calls `sending_limits_check` before it writes the row. The
counts come from the outbox itself (To + Cc of the messages written in the window), so they hold across web
processes and workers without a counter of our own; the covering index `mailbox_sending_quota` keeps the count
an index-only scan. The company row is locked (FOR NO KEY UPDATE, which does not block inserts that reference
the company) so two sends of one company are counted one after the other and cannot both take the last slot.

All mail of a company counts toward the company's limits; only mail with a sender can be refused. Companies in
their first days get the stricter `MAILBOX_LIMIT_NEW_*` numbers. Mail nobody in a company triggers (password
resets, address confirmations) is outside these limits: allauth's ACCOUNT_RATE_LIMITS throttle those per client
address and per address asked for.

A refusal rolls back the caller's transaction, and with it anything written there; `refusals_recorded()`
(recruitee/tenancy/refusals.py) writes its audit entry once that transaction is over: message_send wraps itself
in it, and services that send inside a larger transaction of theirs wrap that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext

from recruitee.tenancy.models import Company, Membership
from recruitee.tenancy.refusals import RecordedRefusal
from recruitee.tenancy.services import audit_record, in_english

from .models import Message

logger = logging.getLogger(__name__)

DAY = timedelta(hours=24)


@dataclass(frozen=True)
class Limit:
    whose: str  # "member" or "company"
    period: str  # "window" (the short one) or "day"
    window: timedelta
    recipients: int

    @property
    def span(self) -> str:
        """"24 hours", "10 minutes", as it follows "per" and "in the last" (German: dative, "pro 24 Stunden")."""
        minutes = int(self.window.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return npgettext("span of a sending limit", "%(num)d hour", "%(num)d hours", hours) % {"num": hours}
        return npgettext("span of a sending limit", "%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}

    @property
    def key(self) -> str:
        return f"{self.whose}_{self.period}"


@dataclass(frozen=True)
class Usage:
    limit: Limit
    used: int

    @property
    def left(self) -> int:
        return max(0, self.limit.recipients - self.used)


def is_new_company(company: Company, *, now: datetime | None = None) -> bool:
    age = (now or timezone.now()) - company.created_at
    return age < timedelta(days=settings.MAILBOX_LIMIT_NEW_COMPANY_DAYS)


def limits_for(company: Company, *, now: datetime | None = None) -> list[Limit]:
    """The limits in force for the company; a number of 0 turns that limit off."""
    prefix = "MAILBOX_LIMIT_NEW_" if is_new_company(company, now=now) else "MAILBOX_LIMIT_"
    window = timedelta(minutes=settings.MAILBOX_LIMIT_WINDOW_MINUTES)
    limits = [
        Limit("member", "window", window, getattr(settings, f"{prefix}MEMBER_PER_WINDOW")),
        Limit("member", "day", DAY, getattr(settings, f"{prefix}MEMBER_PER_DAY")),
        Limit("company", "window", window, getattr(settings, f"{prefix}COMPANY_PER_WINDOW")),
        Limit("company", "day", DAY, getattr(settings, f"{prefix}COMPANY_PER_DAY")),
    ]
    return [limit for limit in limits if limit.recipients > 0]


def _sent_in(limit: Limit, *, sender: Membership | None, now: datetime) -> Q:
    condition = Q(created_at__gt=now - limit.window)
    if limit.whose == "member":
        condition &= Q(sender=sender)
    return condition


def usage_of(*, company: Company, sender: Membership | None = None, now: datetime | None = None) -> list[Usage]:
    """Recipients counted against each limit right now (member limits only with a sender), in one query."""
    now = now or timezone.now()
    limits = [limit for limit in limits_for(company, now=now) if sender is not None or limit.whose == "company"]
    if not limits:
        return []
    since = now - max(limit.window for limit in limits)
    sums = Message.objects.filter(company=company, created_at__gt=since).aggregate(**{
        limit.key: Sum("recipient_count", filter=_sent_in(limit, sender=sender, now=now))
        for limit in limits
    })
    return [Usage(limit, sums[limit.key] or 0) for limit in limits]


def _frees_at(usage: Usage, *, company: Company, sender: Membership | None, recipients: int,
              now: datetime) -> datetime:
    """When enough of the counted recipients have aged out of the window for `recipients` more to fit."""
    excess = usage.used + recipients - usage.limit.recipients
    rows = (Message.objects.filter(company=company)
            .filter(_sent_in(usage.limit, sender=sender, now=now))
            .order_by("created_at").values_list("created_at", "recipient_count"))
    for created_at, count in rows.iterator():
        excess -= count
        if excess <= 0:
            return created_at + usage.limit.window
    return now + usage.limit.window


def _recipients(number: int) -> str:
    return ngettext("%(count)s recipient", "%(count)s recipients", number) % {"count": intcomma(number)}


@dataclass
class Refusal:
    company: Company
    sender: Membership
    usage: Usage
    recipients: int
    frees_at: datetime | None
    young: bool

    def message(self) -> str:
        limit = self.usage.limit
        numbers = {"allowance": _("%(recipients)s per %(span)s") % {"recipients": _recipients(limit.recipients),
                                                                       "span": limit.span},
                   "used": intcomma(self.usage.used), "count": self.recipients, "company": self.company.name}
        if limit.whose == "member":
            text = _("You have reached your sending limit of %(allowance)s (%(used)s used; this email has "
                     "%(count)s).") % numbers
        else:
            text = _("%(company)s has reached its sending limit of %(allowance)s (%(used)s used; this email has "
                     "%(count)s).") % numbers
        if self.recipients > limit.recipients:
            text += " " + _("An email to this many people can never fit: send it to fewer at a time.")
        elif self.frees_at is not None:
            local = timezone.localtime(self.frees_at)
            when = (date_format(local, "TIME_FORMAT") if local.date() == timezone.localtime().date()
                    else date_format(local, "SHORT_DATETIME_FORMAT"))
            text += " " + _("You can send it in %(span)s (at %(time)s).") % {"span": timeuntil(self.frees_at),
                                                                            "time": when}
        if self.young:
            days = settings.MAILBOX_LIMIT_NEW_COMPANY_DAYS
            text += " " + ngettext("Companies in their first %(count)s day have lower limits.",
                                   "Companies in their first %(count)s days have lower limits.", days) % {"count": days}
        return text + " " + _("Nothing was sent.")


class SendingLimitReached(RecordedRefusal):
    """A send refused by a sending limit; the message says which limit and when it frees up."""

    refusal: Refusal | None = None

    @classmethod
    def of(cls, refusal: Refusal) -> SendingLimitReached:
        error = cls(refusal.message(), code="sending_limit")
        error.refusal = refusal
        return error

    def write_audit_entry(self) -> None:
        refusal = self.refusal
        if refusal is None:
            return
        limit, sender = refusal.usage.limit, refusal.sender
        with in_english():
            summary = (f"Sending limit reached: {sender.user} was refused an email to "
                       f"{_recipients(refusal.recipients)} ({limit.whose} limit of {_recipients(limit.recipients)} "
                       f"per {limit.span}, {intcomma(refusal.usage.used)} used)")
        audit_record(
            company=refusal.company, actor=sender.user, action="mail.limit_reached",
            summary=summary,
            limit=limit.key, allowed=limit.recipients, used=refusal.usage.used, recipients=refusal.recipients,
            member_id=sender.pk, new_company=refusal.young, window_minutes=int(limit.window.total_seconds() // 60),
        )


def sending_limits_check(*, company: Company, sender: Membership, recipients: int, refuse: bool = True) -> None:
    """Lock the company's sending and refuse a send that would go over a limit. Call inside the transaction
    that writes the message: the lock holds until it ends, so the next send counts this one."""
    Company.objects.select_for_update(no_key=True).filter(pk=company.pk).values_list("pk", flat=True).get()
    if not refuse:
        return
    now = timezone.now()
    for usage in usage_of(company=company, sender=sender, now=now):
        if usage.used + recipients <= usage.limit.recipients:
            continue
        frees_at = None
        if recipients <= usage.limit.recipients:
            frees_at = _frees_at(usage, company=company, sender=sender, recipients=recipients, now=now)
        refusal = Refusal(company=company, sender=sender, usage=usage, recipients=recipients, frees_at=frees_at,
                          young=is_new_company(company, now=now))
        logger.warning("Sending limit %s reached: company %s, member %s, %s used of %s, %s more refused",
                       usage.limit.key, company.pk, sender.pk, usage.used, usage.limit.recipients, recipients)
        raise SendingLimitReached.of(refusal)

