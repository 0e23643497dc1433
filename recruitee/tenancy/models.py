import secrets
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from recruitee.validators import validate_no_line_breaks, validate_time_zone

# Slugs become the first path segment, so they must not shadow the project's own top-level URLs.
RESERVED_SLUGS = frozenset(
    {"accounts", "admin", "api", "book", "companies", "hooks", "invitations", "media", "oauth", "sandbox", "static",
     "settings"}
)

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$",
    _("Use lowercase letters, digits and hyphens; start and end with a letter or digit."),
)


class StageOnSchedule(models.TextChoices):
    """Where scheduling an interview moves the candidate in the pipeline (the company chooses).

    The values are stages of recruiting's Candidate.Stage, which this lower layer cannot import; a test keeps the
    two in step. Only stages a candidate reaches by being interviewed: Offer, Hired and Rejected are decisions.
    """

    DONT_MOVE = "", _("— don't move —")
    SCREENING = "screening", _("Screening")
    INTERVIEW = "interview", _("Interview")


class Company(models.Model):
    """A tenant. Every tenant-owned row points at one company; nobody sees another company's rows."""

    name = models.CharField(_("name"), max_length=120, validators=[validate_no_line_breaks])
    slug = models.SlugField(
        _("web address"), max_length=50, unique=True, validators=[slug_validator, MinLengthValidator(2)],
        help_text=_("Appears in every address of the company, e.g. /acme/candidates/."),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    # The language of its candidates unless one is set on the candidate (recruiting.selectors.candidate_language).
    default_language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="en",
        help_text=_("The language of candidates for whom no other is set: their invitations are written in it."),
    )
    # What a candidate who booked through a scheduling link may still change by themselves.
    candidate_change_cutoff_hours = models.PositiveSmallIntegerField(
        _("candidates can change a booking until (hours before it)"), default=24,
        validators=[MaxValueValidator(24 * 14)],
        help_text=_("Candidates can reschedule or cancel a booked interview until this many hours before it."),
    )
    candidate_max_reschedules = models.PositiveSmallIntegerField(
        _("reschedules a candidate can make"), default=2, validators=[MaxValueValidator(10)],
        help_text=_("How often a candidate can move a booked interview by themselves."),
    )
    stage_on_schedule = models.CharField(
        _("when an interview is scheduled, move the candidate to stage"), max_length=20, blank=True,
        choices=StageOnSchedule.choices, default=StageOnSchedule.INTERVIEW,
        help_text=_("Only forward: a candidate already past this stage, or in Offer, Hired or Rejected, stays put."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name


# ISO weekday numbers (Monday is 1, Sunday is 7), as datetime.isoweekday() gives them.
# The names are Django's own (translated in its catalogues); its numbering starts at 0 for Monday.
WEEKDAYS = [(number + 1, name) for number, name in sorted(WEEKDAY_NAMES.items())]
DEFAULT_WORKING_DAYS = "12345"


def validate_working_days(value: str) -> None:
    """Stored as the day digits in order ("12345"): short, readable in the database, and easy to test."""
    if not value:
        raise ValidationError(_("Pick at least one working day."))
    if any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError(_("Working days must be weekdays 1 (Monday) to 7 (Sunday), each once."))


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    RECRUITER = "recruiter", _("Recruiter")
    INTERVIEWER = "interviewer", _("Interviewer")


class Membership(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RECRUITER)
    # When this person works for this company, in their own zone (User.time_zone); Find time shades the rest.
    # Per membership, since one person can work different days for different companies.
    working_days = models.CharField(max_length=7, default=DEFAULT_WORKING_DAYS, validators=[validate_working_days])
    work_start = models.TimeField(default=time(9))
    work_end = models.TimeField(default=time(17))
    # Interview load limits (none by default): self-scheduling does not offer a member at their limit.
    max_interviews_per_day = models.PositiveSmallIntegerField(
        _("max interviews per day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Leave empty for no limit."),
    )
    max_interviews_per_week = models.PositiveSmallIntegerField(
        _("max interviews per week"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)], help_text=_("Leave empty for no limit."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(company="company")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="one_membership_per_company"),
            models.CheckConstraint(condition=models.Q(work_start__lt=models.F("work_end")),
                                   name="work_start_before_end"),
        ]
        ordering = ["user__full_name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.company} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def working_weekdays(self) -> set[int]:
        """ISO weekday numbers this person works (1 is Monday)."""
        return {int(ch) for ch in self.working_days if ch in "1234567"}

    @property
    def can_recruit(self) -> bool:
        """Admins and recruiters manage candidates and jobs; interviewers only read them."""
        return self.role in (Role.ADMIN, Role.RECRUITER)


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """An admin's invitation for someone to join the company with a role.

    The emailed link carries a signature over (id, nonce); the nonce changes when the invitation is resent, so
    older links stop working, and `accepted_at` makes every link single-use.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.INTERVIEWER)
    nonce = models.CharField(max_length=64, default=new_invitation_nonce)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.company}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditEntry(models.Model):
    """Who did what, when, in a company. Never holds secrets."""

    # Indexed first in both indexes of Meta, which serve whatever its own index would.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="audit_entries", db_index=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    summary = models.CharField(max_length=300)
    # Which object it was about, as "app_label.model" and primary key, so an object's page can show its own part of
    # this one trail (an interview's history). Any app's object: the core names it without knowing its model.
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["company", "target_type", "target_id"], name="audit_target"),
            # A company's latest entries (the audit log, the home page's recent activity) in the order they are
            # shown. One index over every company's entries by time made a small company's page walk past a big
            # one's: 25 ms for an entry a month old behind 300,000 newer ones.
            models.Index(fields=["company", "-created_at", "-id"], name="audit_company_latest"),
        ]

    def __str__(self) -> str:
        return self.summary
