"""The local mail catcher's pages: what `make run` delivered, as the recipients' mail clients got it.

Admins only, DEBUG only, and only mail of this company (matched by Message-ID to its outbox rows), plus the account
mail (password resets) sent to the admin who looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage as ParsedEmail

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recruitee.tenancy.access import require_admin
from recruitee.tenancy.db import across_tenants
from recruitee.tenancy.models import Membership

from .catcher import Caught, catcher_dir, catcher_enabled, caught_get, caught_list, caught_source
from .models import Message
from .sanitize import html_frame_response


@dataclass(frozen=True)
class CaughtPart:
    depth: int
    content_type: str
    filename: str
    size: int
    is_attachment: bool


def _require_catcher(request: HttpRequest) -> None:
    if not catcher_enabled():
        raise Http404
    require_admin(request.membership)


def _rows_for(member: Membership, message_ids: list[str]) -> dict[str, Message]:
    company_rows = list(Message.objects.filter(company=member.company, message_id__in=message_ids))
    # Account mail belongs to no company, and the database shows it only outside every company's scope.
    with across_tenants("mail catcher: the admin's own account mail"):
        own_account_mail = list(Message.system.filter(
            message_id__in=message_ids, recipients_search__contains=f"<{member.user.email.lower()}>"
        ))
    return {row.message_id: row for row in [*company_rows, *own_account_mail]}


def _get_caught_for_member(member: Membership, name: str) -> tuple[Caught, Message]:
    caught = caught_get(name)
    if caught is None:
        raise Http404
    row = _rows_for(member, [caught.message_id]).get(caught.message_id)
    if row is None:
        raise Http404
    return caught, row


@require_GET
def catcher(request: HttpRequest, company_slug: str) -> HttpResponse:
    _require_catcher(request)
    caught = caught_list()
    rows = _rows_for(request.membership, [c.message_id for c in caught])
    items = [(c, rows[c.message_id]) for c in caught if c.message_id in rows]
    return render(request, "mailbox/catcher.html", {"items": items, "folder": catcher_dir()})


def _walk(email: ParsedEmail, depth: int = 0) -> list[CaughtPart]:
    payload = email.get_payload(decode=True) if not email.is_multipart() else b""
    content_type = email.get_content_type()
    if method := email.get_param("method"):
        content_type += f"; method={method}"
    parts = [CaughtPart(depth, content_type, email.get_filename() or "",
                        len(payload or b""), email.get_content_disposition() == "attachment")]
    if email.is_multipart():
        for child in email.iter_parts():
            parts.extend(_walk(child, depth + 1))
    return parts


def _body(email: ParsedEmail, subtype: str) -> str:
    part = email.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    return part.get_content()


@require_GET
def catcher_detail(request: HttpRequest, company_slug: str, catcher_name: str) -> HttpResponse:
    _require_catcher(request)
    caught, row = _get_caught_for_member(request.membership, catcher_name)
    return render(request, "mailbox/catcher_detail.html", {
        "caught": caught, "row": row, "headers": list(caught.email.items()), "parts": _walk(caught.email),
        "text": _body(caught.email, "plain"), "has_html": bool(_body(caught.email, "html")),
        "source": caught_source(catcher_name).decode("utf-8", "replace"),
        "visible_row": row.company_id is not None,
    })


@require_GET
def catcher_body(request: HttpRequest, company_slug: str, catcher_name: str) -> HttpResponse:
    _require_catcher(request)
    caught, _row = _get_caught_for_member(request.membership, catcher_name)
    return html_frame_response(_body(caught.email, "html"), title=str(caught.email.get("Subject", "")))
