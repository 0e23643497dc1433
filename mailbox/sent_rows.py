"""The Sent tab's rows and the status badge as HTML, written once in Python.

A page of 25 messages printed through the template engine (a `{% url %}` per link, naturaltime, truncatechars, an
included status template per row with its own url tags and filters) cost the Sent tab some 15 ms a request, three
times its SQL (issue 11). Written here it costs about one: URLs are reversed once per page and filled in per id,
words are translated once per page, every value that comes from a row is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # the standard library's, as Django's escape uses, without its lazy-string check

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext

from recruitee.tenancy.models import Membership

from .access import may_retry
from .models import Message
from .outbox import can_retry

STATUS_CLASSES = {
    Message.Status.QUEUED: "text-bg-secondary",
    Message.Status.SENDING: "text-bg-info",
    Message.Status.SENT: "text-bg-success",
    Message.Status.FAILED: "text-bg-danger",
}
_SENTINEL = 987654321987654321  # an id no row has, reversed in place of the real one and then replaced


def recipients(message: Message) -> str:
    """"Ada Lovelace, bob@example.com" for the To and Cc lists."""
    return ", ".join(a.name or a.email for a in [*message.to_addresses, *message.cc_addresses])


def truncate(text: str, length: int) -> str:
    """What `truncatechars` gives, without a Truncator for the many short ASCII values (which it leaves alone)."""
    return text if len(text) <= length and text.isascii() else Truncator(text).chars(length)


class _Url:
    """A URL reversed once, filled with each row's id."""

    def __init__(self, name: str, company_slug: str, id_name: str):
        url = reverse(name, kwargs={"company_slug": company_slug, id_name: _SENTINEL})
        self.before, self.after = (escape(part) for part in url.split(str(_SENTINEL)))

    def __call__(self, pk: int) -> str:
        return f"{self.before}{pk}{self.after}"


class StatusBadge:
    """The status badge of a message: label, reason, polling while it is pending, Retry form.

    Made once per page; `markup(message)` per message."""

    def __init__(self, *, company_slug: str, member: Membership | None, csrf_token: str):
        self.member = member
        self.status_url = _Url("mailbox:message-status", company_slug, "message_id")
        self.retry_url = _Url("mailbox:message-retry", company_slug, "message_id")
        self.labels = {value: escape(str(label)) for value, label in Message.Status.choices}
        self.csrf_input = (f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
                           if csrf_token and csrf_token != "NOTPROVIDED" else "")
        self.retry = escape(pgettext("send a failed email", "Retry"))
        self.send_again = escape(gettext("Stuck? Send again"))

    def markup(self, message: Message) -> str:
        pk, status = message.pk, message.status
        poll = ""
        if message.is_pending:
            every = "15s" if status == Message.Status.QUEUED and message.last_error else "2s"
            poll = f'\n     hx-get="{self.status_url(pk)}" hx-trigger="every {every}" hx-swap="outerHTML"'
        # What a screen reader announces when it changes: a status and whether it carries a reason. The polite
        # region that says it (after the badge) stays when htmx swaps the badge (hx-select picks the badge out of
        # the answer), and static/js/forms.js writes into it only when this changes, not at every poll.
        phase = f"{status}-{'reason' if message.last_error else 'ok'}"
        parts = [
            f'<div class="mailbox-status" data-status="{escape(status)}" id="message-{pk}-status" '
            f'data-live="{escape(phase)}" hx-select="#message-{pk}-status"{poll}>\n'
            f'  <span class="badge {STATUS_CLASSES.get(status, "text-bg-secondary")}" data-testid="message-status">'
            f'{self.labels.get(status) or escape(status)}</span>'
        ]
        if status == Message.Status.FAILED or (status == Message.Status.QUEUED and message.last_error):
            tone = "text-danger" if status == Message.Status.FAILED else "text-body-secondary"
            parts.append(f'\n  <div class="small mt-1 mailbox-reason {tone}">{escape(message.last_error)}</div>')
        if self.member is not None and may_retry(self.member, message) and can_retry(message):
            url = self.retry_url(pk)
            label = self.send_again if status == Message.Status.SENDING else self.retry
            parts.append(
                f'\n  <form class="mt-1" method="post" action="{url}" hx-post="{url}" '
                f'hx-target="#message-{pk}-status" hx-select="#message-{pk}-status" hx-swap="outerHTML">\n'
                f'    {self.csrf_input}<button class="btn btn-sm btn-outline-danger" type="submit">{label}</button>\n'
                f'  </form>'
            )
        parts.append(f'\n</div><span class="visually-hidden" role="status" id="message-{pk}-status-live" '
                     f'data-said="{escape(phase)}"></span>')
        return "".join(parts)


def _files(count: int) -> str:
    title = ngettext("%(count)s attachment", "%(count)s attachments", count) % {"count": count}
    label = ngettext("%(count)s file", "%(count)s files", count) % {"count": count}
    return f'<span class="text-body-secondary small ms-1" title="{escape(title)}">· {escape(label)}</span>'


def sent_rows(messages: Iterable[Message], *, request, company_slug: str, member: Membership | None,
              everyone: bool) -> SafeString:
    """The table's rows (`<tr class="mailbox-row">` each) for a page of messages loaded with sender and candidate."""
    detail_url = _Url("mailbox:message-detail", company_slug, "message_id")
    candidate_url = _Url("recruiting:candidate-detail", company_slug, "candidate_id")
    badge = StatusBadge(company_slug=company_slug, member=member, csrf_token=get_token(request))
    audiences = {value: escape(str(label)) for value, label in Message.Audience.choices}
    no_candidate = '<span class="text-body-secondary">—</span>'
    by = gettext("by %(name)s")
    automatic = gettext("%(name)s (automatic)")
    files: dict[int, str] = {}
    written_format = formats.get_format("SHORT_DATETIME_FORMAT")  # the reader's language's, looked up once
    rows = []
    for message in messages:
        pk = message.pk
        extra = ""
        if message.attachment_count:
            count = message.attachment_count
            extra = files.get(count) or files.setdefault(count, _files(count))
        if everyone:
            sender = message.sender
            name = sender.user.display_name if sender else automatic % {"name": message.from_name}
            extra += f'\n          <div class="small text-body-secondary">{escape(by % {"name": name})}</div>'
        candidate = message.candidate
        about = (f'<a href="{candidate_url(candidate.pk)}">{escape(candidate.full_name)}</a>' if candidate
                 else no_candidate)
        created = timezone.localtime(message.created_at)
        written = dateformat.format(created, written_format)
        rows.append(
            f'<tr class="mailbox-row">\n'
            f'        <td class="mailbox-to">{escape(truncate(recipients(message), 60))}</td>\n'
            f'        <td>\n'
            f'          <a class="fw-medium" href="{detail_url(pk)}">{escape(truncate(message.subject, 90))}</a>'
            f'{extra}\n'
            f'        </td>\n'
            f'        <td>{about}</td>\n'
            f'        <td><span class="badge text-bg-light border">'
            f'{audiences.get(message.audience) or escape(message.audience)}</span></td>\n'
            f'        <td>{badge.markup(message)}</td>\n'
            f'        <td class="text-end text-nowrap small"><time datetime="{created.isoformat()}" '
            f'title="{escape(written)}">{escape(str(naturaltime(message.created_at)))}</time></td>\n'
            f'      </tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 -- every value from a row is escaped; the rest is our own markup
