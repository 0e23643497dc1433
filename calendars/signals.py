"""Calendars' part in core events (the hooks of recruitee.tenancy.removal), and what calendars tell the apps above
them: `events_synced` (see calendars/sync/signals.py)."""

from django.dispatch import receiver
from django.utils.translation import ngettext

from recruitee.tenancy.models import Membership
from recruitee.tenancy.removal import (
    ConsequenceItem,
    RemovalConsequence,
    membership_removal_consequences,
    membership_removing,
)

from .models import CalendarConnection
from .services import connection_disconnect
from .sync.signals import events_synced

__all__ = ["events_synced"]  # where apps above calendars find it (defined by the sync, which sends it)


def _connections_of(membership: Membership):
    return CalendarConnection.objects.filter(company=membership.company, member=membership).order_by("pk")


@receiver(membership_removing, dispatch_uid="calendars.disconnect_removed_member")
def disconnect_removed_member(sender, *, membership: Membership, actor, **kwargs) -> None:
    """A removed member's grants must not outlive the membership: the same disconnect as on the calendars page
    (close the push channels, revoke at the provider, delete the tokens and the synced events, audit it)."""
    for connection in _connections_of(membership):
        connection_disconnect(connection=connection, actor=actor,
                              reason=f"removing {membership.user} from the team")


@receiver(membership_removal_consequences, dispatch_uid="calendars.removal_consequences")
def connected_calendars(sender, *, membership: Membership, **kwargs) -> list[RemovalConsequence]:
    connections = list(_connections_of(membership))
    if not connections:
        return []
    summary = ngettext(
        "%(name)s's %(count)d connected calendar will be disconnected, and access to it revoked.",
        "%(name)s's %(count)d connected calendars will be disconnected, and access to them revoked.",
        len(connections),
    ) % {"name": membership.user.display_name, "count": len(connections)}
    return [RemovalConsequence(
        summary=summary,
        items=[ConsequenceItem(label=str(connection)) for connection in connections],
    )]
