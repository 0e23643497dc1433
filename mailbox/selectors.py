"""Reads of the outbox that views share."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict

from recruitee.paging import MAX_ID
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.models import Membership

from .access import visible_to
from .models import Message, SentListing
from .sent_pager import KeysetPage, KeysetPaginator, read_cursor

# Bodies stay in the database until someone opens the message.
LIST_DEFERRED = ("text_body", "html_body", "recipients_search", "reply_to")
# What a row of the Sent tab shows (mailbox/sent_rows.py), and no more: fewer columns to compile, read and build.
SENT_ROW_FIELDS = (
    "id", "company", "sender", "audience", "from_name", "to", "cc", "subject", "candidate", "attachment_count",
    "status", "last_error", "created_at", "claimed_at",
    "candidate__id", "candidate__full_name", "sender__id", "sender__user", "sender__user__id",
    "sender__user__full_name", "sender__user__email",
)
# The pager counts this many matches at most, then says "1,000+ messages".
SENT_COUNT_LIMIT = 1000


def _positive_id(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class SentFilters:
    everyone: bool = False
    status: str = ""
    audience: str = ""
    candidate_id: int | None = None
    query: str = ""
    # Only admins choose whose mail they see; they start on everyone's, the company's whole outbox.
    chooses_whose: bool = False

    @classmethod
    def from_query(cls, params: QueryDict, member: Membership) -> SentFilters:
        status = params.get("status", "")
        audience = params.get("audience", "")
        return cls(
            everyone=member.is_admin and params.get("who") != "mine",
            chooses_whose=member.is_admin,
            status=status if status in Message.Status.values else "",
            audience=audience if audience in Message.Audience.values else "",
            candidate_id=_positive_id(params.get("candidate")),
            query=params.get("q", "").replace("\x00", "").strip()[:200],
        )

    @property
    def narrowed(self) -> bool:
        return bool(self.status or self.audience or self.candidate_id or self.query)

    @property
    def who(self) -> str:
        """The `who` to carry in links and forms: only "mine" differs from an admin's default."""
        return "mine" if self.chooses_whose and not self.everyone else ""


def _who(member: Membership, everyone: bool) -> QuerySet[Message]:
    messages = Message.objects.filter(company=member.company)
    return messages if everyone and member.is_admin else messages.filter(sender=member)


def _with_details(ids: QuerySet | list[int]) -> QuerySet[Message]:
    return (
        Message.objects.filter(pk__in=ids).select_related("candidate", "sender__user").only(*SENT_ROW_FIELDS)
        .order_by("-created_at", "-id")
    )


def sent_page(*, member: Membership, filters: SentFilters, cursor: str | None) -> KeysetPage:
    """A page of the Sent tab: the first, or the one a Newer / Older link's cursor points at (an unreadable
    cursor, or one from another company, gives the first). The page's ids come from the listing view (see
    SentListing: how a search reaches the trigram indexes under row-level security), its rows from the outbox."""
    listing = _sent(SentListing.objects.filter(company=member.company), member=member, filters=filters)
    return KeysetPaginator(
        listing, settings.PAGE_SIZE, company_id=member.company_id,
        load=_with_details, count_limit=SENT_COUNT_LIMIT, collect=bool(filters.query.split()),
    ).page(read_cursor(cursor, company_id=member.company_id))


def sent_messages(*, member: Membership, filters: SentFilters) -> QuerySet[Message]:
    return _sent(Message.objects.filter(company=member.company), member=member, filters=filters)


def _sent(messages: QuerySet, *, member: Membership, filters: SentFilters) -> QuerySet:
    """`messages` (the outbox or its listing view, filtered to the member's company) narrowed to what the Sent tab
    shows for `filters`, newest first."""
    if not (filters.everyone and member.is_admin):
        messages = messages.filter(sender=member)
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.audience:
        messages = messages.filter(audience=filters.audience)
    if filters.candidate_id:
        messages = messages.filter(candidate_id=filters.candidate_id)
    # Each word anywhere in the subject or the recipients. On PostgreSQL the trigram indexes of migration 0005 are
    # built on exactly the SQL these two lookups write (UPPER(subject::text) LIKE ..., recipients_search LIKE ...);
    # tests/mailbox/test_search.py checks that the plan uses them.
    for term in filters.query.split():
        messages = messages.filter(Q(subject__icontains=term) | Q(recipients_search__contains=term.lower()))
    return messages.order_by("-created_at", "-id")


def failed_count(*, member: Membership, everyone: bool) -> int:
    return _who(member, everyone).filter(status=Message.Status.FAILED).count()


def candidate_filter_choice(*, member: Membership, candidate_id: int | None) -> Candidate | None:
    if candidate_id is None:
        return None
    return Candidate.objects.filter(company=member.company, pk=candidate_id).first()


def candidate_messages(*, member: Membership, candidate: Candidate, limit: int = 10) -> tuple[list[Message], int]:
    """The newest messages about a candidate that this member may read, and how many there are in all."""
    messages = (
        Message.objects.filter(visible_to(member), company=member.company, candidate=candidate)
        .select_related("sender__user").defer(*LIST_DEFERRED).order_by("-created_at", "-id")
    )
    newest = list(messages[: limit + 1])
    total = len(newest) if len(newest) <= limit else messages.count()
    return newest[:limit], total
