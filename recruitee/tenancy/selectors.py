"""Reads of the tenancy data that other apps share."""

from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry


def audit_entries_of(target: models.Model) -> QuerySet[AuditEntry]:
    """What the audit trail says about one object of a company (needs its scope), newest first."""
    return AuditEntry.objects.filter(company_id=target.company_id, target_type=target._meta.label_lower,
                                     target_id=target.pk)
