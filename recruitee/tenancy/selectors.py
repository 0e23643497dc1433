"""Reads of the tenancy data that other apps share."""

from django.core.paginator import Page
from django.db import models
from django.db.models import QuerySet

from recruitee.paging import IdsFirstPaginator

from .db import member_company_ids
from .models import AuditEntry, Company

AUDIT_PAGE_SIZE = 50
# The audit log counts this many entries at most, then pages on without a last page number.
AUDIT_COUNT_LIMIT = 1000


def audit_entries_of(target: models.Model) -> QuerySet[AuditEntry]:
    """What the audit trail says about one object of a company (needs its scope), newest first."""
    return AuditEntry.objects.filter(company_id=target.company_id, target_type=target._meta.label_lower,
                                     target_id=target.pk)


def member_companies(user) -> QuerySet[Company]:
    """The companies `user` belongs to, by name. Needs no scope: it is asked outside one (the company menu)."""
    return Company.objects.filter(pk__in=member_company_ids(user.pk)).order_by("name")


def audit_log_page(company: Company, number: str | None) -> Page:
    """One page of the company's audit log, newest first: a bounded count, the page's ids through the (company,
    time) index, and just those entries with their actors; as fast on page 2,000 of a million entries as on the
    first."""
    def load(ids) -> QuerySet[AuditEntry]:
        return AuditEntry.objects.filter(company=company, pk__in=ids).select_related("actor")

    entries = AuditEntry.objects.filter(company=company)
    return IdsFirstPaginator(entries, AUDIT_PAGE_SIZE, load=load, count_limit=AUDIT_COUNT_LIMIT).get_page(number)
