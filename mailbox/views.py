"""The Sent tab, a message's page, composing to a candidate. Each view authorizes first, then reads or writes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from recruitee.recruiting.access import get_candidate_for_member
from recruitee.tenancy.access import require_recruiter

from . import limits, selectors
from .access import get_attachment_for_member, get_message_for_member, may_retry
from .addresses import Address, one_line, product_address
from .catcher import catcher_enabled
from .forms import ComposeForm
from .mime import build_email
from .models import Message
from .outbox import parts_of
from .sanitize import html_frame_response
from .sent_rows import sent_rows
from .services import message_retry, message_send, sender_name


@require_GET
def sent(request: HttpRequest, company_slug: str) -> HttpResponse:
    if "page" in request.GET:
        # Numbered pages gave way to Newer / Older cursors (issue 11): an old link or bookmark opens the first page
        # with its filters.
        params = request.GET.copy()
        del params["page"]
        return redirect(f"{request.path}?{params.urlencode()}" if params else request.path)
    member = request.membership
    filters = selectors.SentFilters.from_query(request.GET, member)
    page = selectors.sent_page(member=member, filters=filters, cursor=request.GET.get("cursor"))
    context = {
        "page": page, "filters": filters, "statuses": Message.Status.choices, "audiences": Message.Audience.choices,
        "failed_count": selectors.failed_count(member=member, everyone=filters.everyone),
        "filter_candidate": selectors.candidate_filter_choice(member=member, candidate_id=filters.candidate_id),
        "catcher": catcher_enabled() and member.is_admin,
    }
    partial = request.htmx and request.htmx.target == "results"
    if page.rows:
        context["rows"] = sent_rows(page.rows, request=request, company_slug=member.company.slug,
                                    member=member, everyone=filters.everyone)
    # Interviewers send nothing themselves: rather than an empty search over nothing, the page says what it is for.
    context["explain_mailbox"] = not member.can_recruit and not filters.narrowed and not page.rows and page.is_first
    if not partial:
        context.update(_sending_limits(member))
    return render(request, "mailbox/_sent_results.html" if partial else "mailbox/sent.html", context)


def _sending_limits(member) -> dict:
    """Those who send see their own use of the sending limits; admins also the company's."""
    if not member.can_recruit:
        return {}
    usages = [usage for usage in limits.usage_of(company=member.company, sender=member)
              if usage.limit.whose == "member" or member.is_admin]
    return {"sending_limits": usages, "sending_limits_new": limits.is_new_company(member.company)}


@require_GET
def message_detail(request: HttpRequest, company_slug: str, message_id: int) -> HttpResponse:
    message = get_message_for_member(request.membership, message_id)
    return render(request, "mailbox/message_detail.html", {
        "message": message,
        "attachments": parts_of(message).defer("content"),
        "catcher": catcher_enabled(),
    })


@require_GET
def message_body(request: HttpRequest, company_slug: str, message_id: int) -> HttpResponse:
    """The HTML body, sanitized, as its own document for the sandboxed frame on the message page."""
    message = get_message_for_member(request.membership, message_id)
    return html_frame_response(message.html_body, title=message.subject)


@require_GET
def message_status(request: HttpRequest, company_slug: str, message_id: int) -> HttpResponse:
    """The status badge; pages poll it while a message is queued or sending."""
    message = get_message_for_member(request.membership, message_id)
    return render(request, "mailbox/_status.html", {"message": message})


@require_POST
def message_retry_view(request: HttpRequest, company_slug: str, message_id: int) -> HttpResponse:
    message = get_message_for_member(request.membership, message_id)
    if not may_retry(request.membership, message):
        raise Http404
    if message_retry(message=message, actor=request.user):
        feedback = _("“%(subject)s” is queued again.") % {"subject": message.subject}
        message.refresh_from_db()
    else:
        feedback = _("“%(subject)s” is not waiting for a retry.") % {"subject": message.subject}
    if request.htmx:
        return render(request, "mailbox/_status.html", {"message": message})
    messages.success(request, feedback)
    return redirect("mailbox:message-detail", company_slug=company_slug, message_id=message.pk)


@require_GET
def message_source(request: HttpRequest, company_slug: str, message_id: int) -> HttpResponse:
    """The message as it goes over the wire (.eml): what a mail client would show as "view source"."""
    message = get_message_for_member(request.membership, message_id)
    data = build_email(message, parts_of(message)).message().as_bytes(linesep="\r\n")
    return _download(data, f"message-{message.pk}.eml", "message/rfc822")


@require_GET
def attachment_download(request: HttpRequest, company_slug: str, message_id: int, attachment_id: int) -> HttpResponse:
    attachment = get_attachment_for_member(request.membership, message_id, attachment_id)
    name = attachment.filename or ("invite.ics" if "calendar" in attachment.content_type else "part.bin")
    return _download(bytes(attachment.content), name, attachment.content_type)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    # Always a download, never rendered in our origin; the sandbox CSP covers browsers that render it anyway.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def compose(request: HttpRequest, company_slug: str, candidate_id: int) -> HttpResponse:
    require_recruiter(request.membership)
    candidate = get_candidate_for_member(request.membership, candidate_id)
    sender = request.membership
    name = sender_name(sender)
    initial = {
        "subject": f"{candidate.job.title} at {request.company.name}" if candidate.job else "",
        "body": f"Hi {candidate.full_name},\n\n\n\nBest regards,\n{name}",
    }
    form = ComposeForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            message = message_send(
                company=request.company, sender=sender, audience=Message.Audience.CANDIDATE, candidate=candidate,
                to=[Address(email=candidate.email, name=one_line(candidate.full_name))],
                cc=form.cleaned_data["cc"], subject=form.cleaned_data["subject"], text=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            detail = reverse("mailbox:message-detail", kwargs={"company_slug": company_slug, "message_id": message.pk})
            messages.success(request, format_html(
                "{} <a href=\"{}\" class=\"alert-link\">{}</a>",
                _("Your email to %(name)s is on its way.") % {"name": candidate.full_name}, detail, _("Open it"),
            ))
            return redirect("recruiting:candidate-detail", company_slug=company_slug, candidate_id=candidate.pk)
    return render(request, "mailbox/compose.html", {
        "form": form, "candidate": candidate, "sender_name": name, "from_email": product_address(),
    }, status=400 if form.errors else 200)
