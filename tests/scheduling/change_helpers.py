"""Driving the reschedule and cancel pages as a browser posts them, and reading what each person's calendar ends
up with."""

from __future__ import annotations

from dataclasses import dataclass

from django.test import Client
from icalendar import Calendar

from mailbox.models import Message
from recruitee.tenancy.db import across_tenants
from scheduling.models import Interview

from .helpers import calendar_part, messages_about


def reschedule_url(interview: Interview) -> str:
    return f"/{interview.company.slug}/interviews/{interview.pk}/reschedule/"


def cancel_url(interview: Interview) -> str:
    return f"/{interview.company.slug}/interviews/{interview.pk}/cancel/"


def _posted(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False or form.fields[name].disabled:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        elif hasattr(value, "strftime"):
            value = value.strftime("%H:%M") if hasattr(value, "hour") and not hasattr(value, "year") \
                else value.isoformat()
        data[name] = value
    return data


def page_defaults(client: Client, url: str) -> dict:
    """What the reschedule or cancel page shows, as the browser would post it back (with each editor's marker)."""
    response = client.get(url)
    assert response.status_code == 200, response
    context = response.context
    data = _posted(context["form"])
    if context.get("emails_form") is not None:
        data.update(_posted(context["emails_form"]))
    for section in context["sections"]:
        data[f"emails_{section['audience']}"] = "1"
        for part in ("subject", "body"):
            data[f"{section['audience']}_{part}"] = section[f"{part}_field"].value()
    return data


def post(client: Client, url: str, data: dict, capture=None, *, status: int = 302):
    data = {key: value for key, value in data.items() if value is not None}
    if capture is None:
        response = client.post(url, data)
    else:
        with capture(execute=True):
            response = client.post(url, data)
    if response.status_code != status:
        context = response.context or {}
        errors = [f.errors for f in (context.get("form"), context.get("emails_form")) if f is not None]
        raise AssertionError(f"{response.status_code}: {errors or response.content[:2000]}")
    return response


def messages_to(interview: Interview, email: str) -> list[Message]:
    with across_tenants("test setup"):
        return [m for m in messages_about(interview) if email in [a["email"] for a in m.to]]


@dataclass(frozen=True)
class Delivery:
    """One calendar message a person received: from our email or from the provider."""

    method: str  # REQUEST or CANCEL
    uid: str
    sequence: int


def ours(message: Message) -> Delivery | None:
    part = calendar_part(message)
    if part is None:
        return None
    calendar = Calendar.from_ical(part)
    [event] = calendar.walk("VEVENT")
    return Delivery(str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]))


def theirs(entry: dict) -> Delivery:
    return Delivery("CANCEL" if entry["kind"] == "cancel" else "REQUEST", entry["ical_uid"], int(entry["sequence"]))


def entries(deliveries: list[Delivery]) -> set[str]:
    """The UIDs a calendar app shows after reading `deliveries` in order (RFC 5546): a message applies unless an
    earlier one had a higher SEQUENCE for that UID; REQUEST adds or updates the entry, CANCEL removes it."""
    state: dict[str, tuple[int, bool]] = {}
    for delivery in deliveries:
        seen = state.get(delivery.uid)
        if seen is not None and delivery.sequence < seen[0]:
            continue
        state[delivery.uid] = (delivery.sequence, delivery.method == "REQUEST")
    return {uid for uid, (_sequence, present) in state.items() if present}
