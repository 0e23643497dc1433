"""Writes of the company's invite templates (wording per audience and purpose). Each leaves an audit entry."""

from __future__ import annotations

from django.db import transaction

from recruitee.accounts.models import User
from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

from .models import Audience, InviteTemplate, Purpose


def _name(audience: str, purpose: str) -> str:
    return f"{Audience(audience).label.lower()} {Purpose(purpose).label.lower()}"


def invite_template_save(*, company: Company, audience: str, purpose: str, subject: str, body: str,
                         actor: User) -> InviteTemplate:
    """The company's own wording for one audience and purpose; new messages use it from now on."""
    with transaction.atomic():
        template, created = InviteTemplate.objects.update_or_create(
            company=company, audience=audience, purpose=purpose, defaults={"subject": subject, "body": body},
        )
        audit_record(company=company, actor=actor, action="template.saved", target=template,
                     summary=f"{actor} {'customized' if created else 'edited'} the {_name(audience, purpose)} "
                             f"template", audience=audience, purpose=purpose)
    return template


def invite_template_reset(*, company: Company, audience: str, purpose: str, actor: User) -> bool:
    """Back to the default wording. False when the company had not changed it (nothing to record)."""
    with transaction.atomic():
        template = InviteTemplate.objects.filter(company=company, audience=audience, purpose=purpose).first()
        if template is None:
            return False
        audit_record(company=company, actor=actor, action="template.reset", target=template,
                     summary=f"{actor} reset the {_name(audience, purpose)} template to the default wording",
                     audience=audience, purpose=purpose, subject=template.subject)
        template.delete()
    return True
