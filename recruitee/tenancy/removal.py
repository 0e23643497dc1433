"""Hooks for removing a member, through which higher layers (calendars, scheduling) take part without the core
importing them.

- `membership_removing` is sent (with `membership` and `actor`) before the membership is deleted, outside any
  transaction: receivers undo what the member set up elsewhere, such as grants at calendar providers, which must not
  outlive the membership and must not be revoked while database rows stay locked.
- `membership_removal_consequences` is sent (with `membership`) to build the confirmation page: each receiver
  returns a list of `RemovalConsequence`, what the admin should know before confirming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.dispatch import Signal

from .models import Membership

membership_removing = Signal()
membership_removal_consequences = Signal()


@dataclass(frozen=True)
class ConsequenceItem:
    label: str
    when: datetime | None = None
    url: str = ""


@dataclass(frozen=True)
class RemovalConsequence:
    """One line of the confirmation page ("Dana is an interviewer in 3 upcoming interviews") and what it is about;
    `more` counts the items left off the list."""

    summary: str
    items: list[ConsequenceItem] = field(default_factory=list)
    more: int = 0


def removal_consequences(membership: Membership) -> list[RemovalConsequence]:
    consequences = []
    for _receiver, answer in membership_removal_consequences.send(sender=Membership, membership=membership):
        consequences.extend(answer or [])
    return consequences
