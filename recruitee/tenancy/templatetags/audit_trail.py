"""Audit entries on pages, in the reader's language (recruitee/tenancy/audit_sentences.py).

    {% load audit_trail %}
    {{ entry|audit_sentence }}           the audit log: what happened, and to what
    {{ entry|audit_sentence_here }}      the object's own page (an interview's history): what happened
    {{ entry|audit_by }}                 that page's "by Dana"

Plain text, escaped by the template like any other value.
"""

from django import template

from recruitee.tenancy import audit_sentences
from recruitee.tenancy.models import AuditEntry

register = template.Library()


@register.filter
def audit_sentence(entry: AuditEntry) -> str:
    return audit_sentences.audit_sentence(entry)


@register.filter
def audit_sentence_here(entry: AuditEntry) -> str:
    return audit_sentences.audit_sentence(entry, on_its_page=True)


@register.filter
def audit_by(entry: AuditEntry) -> str:
    return audit_sentences.audit_by(entry)
