"""How the audit entries of calendar connections are said (registered in CalendarsConfig.ready())."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from recruitee.tenancy.audit_sentences import Said, Sentence, listed, register_sentences

from .models import Provider
from .reminders_to_connect import REMINDED


def connection_label(data: Mapping) -> str:
    """A connection as its pages name it ("Google Calendar · dana@example.com"), from the entry's `provider` and
    `account`; a provider since removed by its code."""
    return f"{dict(Provider.choices).get(data['provider'], data['provider'])} · {data['account']}"


def _calendars(names: list[str]) -> str:
    return listed(name or _("(no name)") for name in names)


def selection_changed(said: Said) -> str:
    changes = [_("turned on %(calendars)s") % {"calendars": _calendars(said.data["turned_on"])}
               if said.data["turned_on"] else "",
               _("turned off %(calendars)s") % {"calendars": _calendars(said.data["turned_off"])}
               if said.data["turned_off"] else ""]
    return _("%(actor)s changed the busy calendars of %(calendar)s: %(changes)s") % {
        "actor": said.actor, "calendar": connection_label(said.data), "changes": "; ".join(filter(None, changes))}


def disconnected(said: Said) -> str:
    values = {"actor": said.actor, "calendar": connection_label(said.data), "member": said.data["member"]}
    if said.entry.actor_id == said.data["owner_id"]:
        return _("%(actor)s disconnected %(calendar)s") % values
    # Someone else's: an admin removing them from the team (the entry next to it says so).
    return _("%(actor)s disconnected %(member)s’s %(calendar)s") % values


CONNECTION = ("provider", "account")

register_sentences({
    "calendar.connected": Sentence(
        lambda said: _("%(actor)s connected %(calendar)s") % {"actor": said.actor,
                                                              "calendar": connection_label(said.data)},
        needs=CONNECTION, needs_actor=True),
    "calendar.reconnected": Sentence(
        lambda said: _("%(actor)s reconnected %(calendar)s") % {"actor": said.actor,
                                                                "calendar": connection_label(said.data)},
        needs=CONNECTION, needs_actor=True),
    "calendar.selection_changed": Sentence(selection_changed, needs=(*CONNECTION, "turned_on", "turned_off"),
                                           needs_actor=True),
    "calendar.disconnected": Sentence(disconnected, needs=(*CONNECTION, "owner_id", "member"), needs_actor=True),
    "calendar.token_failed": Sentence(
        lambda said: _("%(calendar)s needs to be reconnected") % {"calendar": connection_label(said.data)},
        needs=CONNECTION),
    REMINDED: Sentence(
        lambda said: _("%(actor)s reminded %(member)s to connect a calendar") % {"actor": said.actor,
                                                                                 "member": said.data["member"]},
        needs=("member",), needs_actor=True),
    "tokens.rotated": Sentence(lambda said: _("Calendar tokens were re-encrypted with the newest key")),
})
