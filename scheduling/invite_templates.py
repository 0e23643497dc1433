"""Writes of the company's invite templates (wording per audience, purpose and language). Each leaves an audit
entry that names the language."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from recruitee.accounts.models import User
from recruitee.tenancy.languages import company_language
from recruitee.tenancy.models import Company
from recruitee.tenancy.services import audit_record

from .models import Audience, InviteTemplate, Purpose


def _name(audience: str, purpose: str, language: str) -> str:
    # The audit log's summaries are stored in English, whoever's request writes them; the language by its own name.
    with translation.override("en"):
        return (f"{Audience(audience).label.lower()} {Purpose(purpose).label.lower()} template "
                f"({dict(settings.LANGUAGES)[language]})")


def _language(company: Company, language: str | None) -> str:
    if language is None:
        return company_language(company)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"Unknown language {language!r}.")
    return language


def invite_template_save(*, company: Company, audience: str, purpose: str, subject: str, body: str,
                         actor: User, language: str | None = None) -> InviteTemplate:
    """The company's own wording for one audience, purpose and language (none: the company's default language);
    new messages in that language use it from now on. The other languages' templates stay as they are."""
    language = _language(company, language)
    with transaction.atomic():
        template, created = InviteTemplate.objects.update_or_create(
            company=company, audience=audience, purpose=purpose, language=language,
            defaults={"subject": subject, "body": body},
        )
        audit_record(company=company, actor=actor, action="template.saved", target=template,
                     summary=f"{actor} {'customized' if created else 'edited'} the "
                             f"{_name(audience, purpose, language)}",
                     audience=audience, purpose=purpose, language=language, created=created)
    return template


def invite_template_reset(*, company: Company, audience: str, purpose: str, actor: User,
                          language: str | None = None) -> bool:
    """Back to the default wording of that language. False when the company had not changed it (nothing to
    record)."""
    language = _language(company, language)
    with transaction.atomic():
        template = InviteTemplate.objects.filter(company=company, audience=audience, purpose=purpose,
                                                 language=language).first()
        if template is None:
            return False
        audit_record(company=company, actor=actor, action="template.reset", target=template,
                     summary=f"{actor} reset the {_name(audience, purpose, language)} to the default wording",
                     audience=audience, purpose=purpose, language=language, subject=template.subject)
        template.delete()
    return True
