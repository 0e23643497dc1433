"""Driving the two-step wizard with Django's test client, and reading back what it wrote."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.test import Client

from mailbox.models import Attachment, Message
from recruitee.tenancy.db import across_tenants
from scheduling.models import CalendarInvite, Interview, InterviewMessage

DAY = "2030-06-12"  # a Wednesday in summer time, comfortably in the future


def step1(client: Client, candidate, **fields) -> str:
    """Post step 1 and return step 2's URL (with its draft id)."""
    data = {"kind": "interview", "title": "", "date": DAY, "start_time": "14:00", "duration": "60",
            "time_zone": "Europe/Berlin", "invite_candidate": "on", "location": "HQ, Room 4", **fields}
    data = {key: value for key, value in data.items() if value is not None}
    response = client.post(f"/{candidate.company.slug}/candidates/{candidate.pk}/schedule/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response["Location"]


def step2_defaults(client: Client, url: str) -> dict[str, str]:
    """What step 2 shows prefilled, as a browser would post it back."""
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: ("on" if v is True else v) for k, v in data.items() if v not in (None, False)}


def schedule(client: Client, candidate, *, step1_fields=None, capture=None, **step2_fields) -> Interview:
    """Both steps; `capture` (django_capture_on_commit_callbacks) runs what the commit queues: tasks, sends."""
    url = step1(client, candidate, **(step1_fields or {}))
    data = {**step2_defaults(client, url), **step2_fields, "action": "send"}
    data = {k: v for k, v in data.items() if v is not None}
    draft = dict(part.split("=") for part in urlsplit(url).query.split("&"))["draft"]
    if capture is None:
        response = client.post(url, {**data, "draft": draft})
    else:
        with capture(execute=True):
            response = client.post(url, {**data, "draft": draft})
    assert response.status_code == 302, _errors(response)
    with across_tenants("test setup"):
        return Interview.objects.order_by("-pk").first()


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors if form else response.content[:2000])


def messages_about(interview: Interview):
    """The outbox rows sent about the interview (the link is kept on the scheduling side). Needs a scope."""
    links = InterviewMessage.objects.filter(interview=interview).values("message_id")
    return Message.objects.filter(pk__in=links).order_by("pk")


def messages_of(interview: Interview) -> dict[str, Message]:
    with across_tenants("test setup"):
        return {m.audience: m for m in messages_about(interview)}


def all_messages_of(interview: Interview) -> list[Message]:
    with across_tenants("test setup"):
        return list(messages_about(interview))


def calendar_part(message: Message) -> bytes | None:
    with across_tenants("test setup"):
        part = Attachment.objects.filter(message=message, kind=Attachment.Kind.ALTERNATIVE).first()
        return bytes(part.content) if part else None


def attachments(message: Message) -> list[Attachment]:
    with across_tenants("test setup"):
        return list(Attachment.objects.filter(message=message).order_by("kind", "pk"))


def invite_of(interview: Interview) -> CalendarInvite:
    with across_tenants("test setup"):
        return CalendarInvite.objects.get(interview=interview)


def reload(interview: Interview) -> Interview:
    with across_tenants("test setup"):
        return Interview.objects.get(pk=interview.pk)
