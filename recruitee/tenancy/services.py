"""Writes for companies, memberships and invitations. Each runs in one transaction and leaves an audit entry."""

import logging
from dataclasses import dataclass
from datetime import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from recruitee.emails import queue_system_email, render_system_email
from recruitee.zones import zone_or_utc

from .audit_sentences import is_said
from .languages import company_language, speaking
from .models import AuditEntry, Company, Invitation, Membership, Role, StageOnSchedule
from .refusals import refusals_recorded
from .removal import membership_removing

User = get_user_model()
logger = logging.getLogger(__name__)

INVITATION_SALT = "recruitee.tenancy.invitation"


class TeamError(Exception):
    """A team change that the rules forbid; the message is shown to the user as it is (in their language)."""


def audit_record(*, company: Company, actor, action: str, summary: str, target: models.Model | None = None,
                 **data) -> AuditEntry:
    """The one audit trail admins read: who did what (`action`, a sentence in `summary`) to which object.

    A summary is a record, written once in English whatever language its author reads: build it inside
    `in_english()` when it names a translated label (a role, a stage). Pages say the entry in their reader's
    language instead, from `data` (audit_sentences.py): it holds what the action's sentence needs. An action
    without a sentence would show its English summary to everyone: with AUDIT_ACTIONS_STRICT (default: DEBUG;
    on in the tests) it is refused here, where it is written.
    """
    if not is_said(action) and getattr(settings, "AUDIT_ACTIONS_STRICT", settings.DEBUG):
        raise ImproperlyConfigured(f"The audit action {action!r} has no sentence: register one (audit_sentences.py).")
    return AuditEntry.objects.create(
        company=company, actor=actor, action=action, summary=summary[:300], data=data,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
    )


def in_english() -> translation.override:
    """English for what is stored rather than shown (audit summaries), whichever language the request speaks."""
    return translation.override("en")


@dataclass(frozen=True)
class LoadLimits:
    """At most this many interviews a day / a week (None: no limit)."""

    per_day: int | None = None
    per_week: int | None = None

    def describe(self) -> str:
        parts = [f"{self.per_day} a day" if self.per_day else "no daily limit",
                 f"{self.per_week} a week" if self.per_week else "no weekly limit"]
        return ", ".join(parts)


def _check_load_limits(limits: LoadLimits) -> None:
    problems = {}
    for field, value, top in (("max_interviews_per_day", limits.per_day, 24),
                              ("max_interviews_per_week", limits.per_week, 100)):
        if value is not None and not 1 <= value <= top:
            problems[field] = _("Enter a number from 1 to %(top)d, or leave it empty for no limit.") % {"top": top}
    if not problems and limits.per_day and limits.per_week and limits.per_week < limits.per_day:
        problems["max_interviews_per_week"] = _("The weekly limit cannot be lower than the daily one.")
    if problems:
        raise ValidationError(problems)


def _apply_load_limits(stored: Membership, *, actor, limits: LoadLimits) -> None:
    """Call inside a transaction with `stored` locked; audited if it changed."""
    wanted = {"max_interviews_per_day": limits.per_day, "max_interviews_per_week": limits.per_week}
    if all(getattr(stored, field) == value for field, value in wanted.items()):
        return
    for field, value in wanted.items():
        setattr(stored, field, value)
    stored.save(update_fields=[*wanted])
    whose = "their" if actor is not None and actor.pk == stored.user_id else f"{stored.user}'s"
    audit_record(company=stored.company, actor=actor, action="membership.load_limits",
                 summary=f"{actor} set {whose} interview limits: {limits.describe()}", target=stored, **wanted,
                 member=stored.user.display_name, user_id=stored.user_id)


def membership_set_load_limits(*, membership: Membership, actor, limits: LoadLimits) -> Membership:
    """Set how many interviews a member takes at most (by the member, or by an admin for them); audited."""
    _check_load_limits(limits)
    with transaction.atomic():
        stored = Membership.objects.select_for_update().select_related("user", "company").get(pk=membership.pk)
        _apply_load_limits(stored, actor=actor, limits=limits)
    return stored


def membership_set_working_hours(*, membership: Membership, actor, working_days: list[int], work_start: time,
                                 work_end: time, load_limits: LoadLimits | None = None) -> Membership:
    """Save when a member works (days as ISO weekday numbers, times in their own zone) and, if given, their
    interview limits, together; each part audited if it changed."""
    days = "".join(str(day) for day in sorted(set(working_days)))
    if not days or any(day not in range(1, 8) for day in working_days):
        raise ValidationError({"working_days": _("Pick at least one working day.")})
    if work_end <= work_start:
        raise ValidationError({"work_end": _("The end must be later than the start.")})
    if load_limits is not None:
        _check_load_limits(load_limits)
    with transaction.atomic():
        stored = Membership.objects.select_for_update().select_related("user", "company").get(pk=membership.pk)
        wanted = {"working_days": days, "work_start": work_start, "work_end": work_end}
        if any(getattr(stored, field) != value for field, value in wanted.items()):
            for field, value in wanted.items():
                setattr(stored, field, value)
            stored.save(update_fields=[*wanted])
            audit_record(company=stored.company, actor=actor, action="membership.working_hours",
                         summary=f"{stored.user} set working hours to {work_start:%H:%M}–{work_end:%H:%M} "
                                 f"on days {days}",
                         target=stored, working_days=days, work_start=f"{work_start:%H:%M}",
                         work_end=f"{work_end:%H:%M}", member=stored.user.display_name, user_id=stored.user_id)
        if load_limits is not None:
            _apply_load_limits(stored, actor=actor, limits=load_limits)
    return stored


@transaction.atomic
def company_create(*, name: str, slug: str, time_zone: str, owner) -> Company:
    try:
        with transaction.atomic():
            company = Company.objects.create(name=name, slug=slug, time_zone=time_zone)
    except IntegrityError:
        raise ValidationError({"slug": _("This address is already taken.")}) from None
    with scope(company=company):
        Membership.objects.create(company=company, user=owner, role=Role.ADMIN)
        audit_record(company=company, actor=owner, action="company.created", summary=f"{owner} created {name}",
                     company_name=name)
    return company


def company_update(*, company: Company, actor, name: str, time_zone: str,
                   candidate_change_cutoff_hours: int | None = None,
                   candidate_max_reschedules: int | None = None,
                   stage_on_schedule: str | None = None,
                   default_language: str | None = None) -> Company:
    """Rename the company, change its time zone, what candidates may change by themselves, where scheduling an
    interview moves the candidate ("": nowhere), or its candidates' default language (None: as it is); an audit
    entry names what changed."""
    if candidate_change_cutoff_hours is not None and not 0 <= candidate_change_cutoff_hours <= 24 * 14:
        raise ValidationError({"candidate_change_cutoff_hours":
                               _("Enter a number of hours from 0 to 336 (two weeks).")})
    if candidate_max_reschedules is not None and not 0 <= candidate_max_reschedules <= 10:
        raise ValidationError({"candidate_max_reschedules": _("Enter a number from 0 to 10.")})
    if stage_on_schedule is not None and stage_on_schedule not in StageOnSchedule.values:
        raise ValidationError({"stage_on_schedule": _("Pick one of the listed stages, or “don't move”.")})
    if default_language is not None and default_language not in dict(settings.LANGUAGES):
        raise ValidationError({"default_language": _("Pick one of the listed languages.")})
    with transaction.atomic():
        stored = Company.objects.select_for_update().get(pk=company.pk)
        wanted = {"name": name, "time_zone": time_zone}
        for field, value in (("candidate_change_cutoff_hours", candidate_change_cutoff_hours),
                             ("candidate_max_reschedules", candidate_max_reschedules),
                             ("stage_on_schedule", stage_on_schedule),
                             ("default_language", default_language)):
            if value is not None:
                wanted[field] = value
        changed = [field for field, value in wanted.items() if getattr(stored, field) != value]
        for field, value in wanted.items():
            setattr(company, field, value)
        if changed:
            company.save(update_fields=changed)
            audit_record(company=company, actor=actor, action="company.updated", target=company,
                         summary=f"{actor} updated the company settings ({', '.join(changed)})", changed=changed)
    return company


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(*, company: Company, token: str) -> Invitation | None:
    """The open invitation the token names, or None when it is forged, stale, used, revoked or expired."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.filter(company=company, pk=payload.get("i"), nonce=payload.get("n")).first()
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def _send_invitation_email(invitation: Invitation, *, site_url: str) -> None:
    """Sent as the inviting member: it counts toward their sending limits, which may refuse it."""
    path = reverse(
        "tenancy:invitation-accept",
        kwargs={"company_slug": invitation.company.slug, "token": invitation_token(invitation)},
    )
    # The invitee has no account to choose a language or a zone on: the company's default language and its zone
    # (the zone a new account gets, see user_create_for_invitation), whatever the inviting admin reads.
    with speaking(company_language(invitation.company)), timezone.override(zone_or_utc(invitation.company.time_zone)):
        inviter = invitation.invited_by.display_name if invitation.invited_by else _("Your team")
        email = render_system_email(
            "team_invitation",
            {
                "company_name": invitation.company.name,
                "inviter_name": inviter,
                "role": invitation.get_role_display(),
                "accept_url": site_url + path,
                "expires_at": invitation.expires_at,
            },
        )
    sender = Membership.objects.filter(company=invitation.company, user_id=invitation.invited_by_id).first()
    queue_system_email(to=[invitation.email], email=email, company=invitation.company, sender=sender)


def invitation_create(*, company: Company, email: str, role: str, invited_by, site_url: str) -> Invitation:
    """Raises TeamError, or a ValidationError when the inviter is over a sending limit: nothing is written then
    but the audit entry of that refusal."""
    with refusals_recorded(), transaction.atomic():
        email = email.strip().lower()
        if Membership.objects.filter(company=company, user__email__iexact=email).exists():
            raise TeamError(_("%(email)s is already a member of %(company)s.")
                            % {"email": email, "company": company.name})
        if Invitation.objects.filter(
            company=company, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).exists():
            raise TeamError(_("%(email)s has already been invited. Resend that invitation instead.") % {"email": email})
        invitation = Invitation.objects.create(company=company, email=email, role=role, invited_by=invited_by)
        with in_english():
            summary = f"{invited_by} invited {email} as {invitation.get_role_display()}"
        audit_record(company=company, actor=invited_by, action="invitation.created", summary=summary, email=email,
                     role=role)
        _send_invitation_email(invitation, site_url=site_url)
    return invitation


def invitation_resend(*, invitation: Invitation, actor, site_url: str) -> Invitation:
    """New link, new expiry; the links sent before stop working. A sending limit refuses it like a new one."""
    with refusals_recorded(), transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, company=invitation.company)
        if invitation.accepted_at or invitation.revoked_at:
            raise TeamError(_("This invitation is no longer open."))
        invitation.nonce = Invitation._meta.get_field("nonce").get_default()
        invitation.expires_at = Invitation._meta.get_field("expires_at").get_default()
        invitation.invited_by = actor
        invitation.save(update_fields=["nonce", "expires_at", "invited_by"])
        audit_record(company=invitation.company, actor=actor, action="invitation.resent",
                     summary=f"{actor} resent the invitation for {invitation.email}", email=invitation.email)
        _send_invitation_email(invitation, site_url=site_url)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> None:
    updated = Invitation.objects.filter(
        pk=invitation.pk, company=invitation.company, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if updated:
        audit_record(company=invitation.company, actor=actor, action="invitation.revoked",
                     summary=f"{actor} revoked the invitation for {invitation.email}", email=invitation.email)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Make `user` a member with the invited role. The row lock makes a link usable exactly once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, company=invitation.company)
    if not invitation.is_open:
        raise TeamError(_("This invitation has already been used, was withdrawn, or has expired."))
    if user.email.lower() != invitation.email.lower():
        raise TeamError(_("This invitation is for %(email)s. Sign in with that address to accept it.")
                        % {"email": invitation.email})
    membership, created = Membership.objects.get_or_create(
        company=invitation.company, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    if created:
        with in_english():
            summary = f"{user} joined as {membership.get_role_display()}"
        audit_record(company=invitation.company, actor=user, action="membership.joined", summary=summary,
                     email=user.email, role=membership.role)
    return membership


@transaction.atomic
def user_create_for_invitation(*, invitation: Invitation, full_name: str, password: str):
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise TeamError(_("An account for %(email)s exists already. Sign in to accept the invitation.")
                        % {"email": invitation.email})
    user = User.objects.create_user(
        email=invitation.email, password=password, full_name=full_name, time_zone=invitation.company.time_zone
    )
    # allauth keeps its own record of addresses; the invitation link proved this one.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _lock_admins(company: Company) -> list[Membership]:
    return list(Membership.objects.select_for_update().filter(company=company, role=Role.ADMIN))


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, actor) -> Membership:
    if role not in Role.values:
        raise TeamError(_("Unknown role."))
    admins = _lock_admins(membership.company)
    membership.refresh_from_db()
    if membership.role == role:
        return membership
    if membership.role == Role.ADMIN and len(admins) <= 1:
        raise TeamError(_("A company needs at least one admin. Make someone else an admin first."))
    previous_role = membership.role
    with in_english():
        old = membership.get_role_display()
        membership.role = role
        summary = f"{actor} changed {membership.user} from {old} to {membership.get_role_display()}"
    membership.save(update_fields=["role"])
    audit_record(company=membership.company, actor=actor, action="membership.role_changed", summary=summary,
                 user_id=membership.user_id, role=role, previous_role=previous_role,
                 member=membership.user.display_name)
    return membership


def _check_removable(membership: Membership) -> None:
    """Call inside a transaction: locks the admins so that two removals cannot leave the company without one."""
    admins = _lock_admins(membership.company)
    membership.refresh_from_db()
    if membership.role == Role.ADMIN and len(admins) <= 1:
        raise TeamError(_("The last admin cannot be removed. Make someone else an admin first."))


def membership_remove(*, membership: Membership, actor) -> None:
    """Remove a member and everything that gives them access: the other apps first undo what the member set up
    with them (calendars revoke the grants and close the push channels), then the membership goes.

    The undoing runs between two transactions, not inside one: revoking at a provider may take seconds, and no row
    may stay locked meanwhile. The rule is checked before (nothing is undone for a removal that is refused) and
    again, under lock, before the delete.
    """
    with transaction.atomic():
        _check_removable(membership)
    for receiver, error in membership_removing.send_robust(sender=Membership, membership=membership, actor=actor):
        if isinstance(error, Exception):
            # The cascade below still deletes the member's rows (tokens included): the removal must not fail.
            logger.error("Undoing %s of membership %s failed", receiver, membership.pk, exc_info=error)
    with transaction.atomic():
        _check_removable(membership)
        audit_record(company=membership.company, actor=actor, action="membership.removed",
                     summary=f"{actor} removed {membership.user} from the team", user_id=membership.user_id,
                     member=membership.user.display_name)
        membership.delete()
