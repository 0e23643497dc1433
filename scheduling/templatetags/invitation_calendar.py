"""The calendar page's "Use for invitations" (the page lives in calendars, which cannot ask us)."""

from __future__ import annotations

from django import template

from ..invitation_calendar import sender_choices

register = template.Library()


@register.inclusion_tag("scheduling/_invitation_calendar.html", takes_context=True)
def invitation_calendar_choice(context, connection) -> dict:
    """For one of the viewer's own connections: whether it sends their invitations, or a button to make it so.
    Nothing with a single working connection (it sends them, there is no choice)."""
    member = context.get("membership")
    shown = {"connection": connection, "company": context.get("company"), "several": False, "is_default": False}
    if member is None or connection.member_id != member.pk:
        return shown
    cache = context.render_context.setdefault("invitation_calendar", {})
    if "choices" not in cache:
        cache["choices"] = sender_choices(member)  # once per page, however many connections it lists
    connections, default = cache["choices"]
    working = any(c.pk == connection.pk for c in connections)
    return {**shown, "several": len(connections) > 1 and working,
            "is_default": default is not None and default.pk == connection.pk,
            "csrf_token": context.get("csrf_token")}
