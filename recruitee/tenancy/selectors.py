"""Reads of the tenancy data that other apps share."""

from django.db import models
from django.db.models import QuerySet

from .db import member_company_ids
from .models import AuditEntry, Company


def audit_entries_of(target: models.Model) -> QuerySet[AuditEntry]:
    """What the audit trail says about one object of a company (needs its scope), newest first."""
    return AuditEntry.objects.filter(company_id=target.company_id, target_type=target._meta.label_lower,
                                     target_id=target.pk)


def member_companies(user) -> QuerySet[Company]:
    """The companies `user` belongs to, by name. Needs no scope: it is asked outside one (the company menu)."""
    return Company.objects.filter(pk__in=member_company_ids(user.pk)).order_by("name")
