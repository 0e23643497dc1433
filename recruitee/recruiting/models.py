from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from recruitee.validators import validate_no_line_breaks, validate_time_zone


class Job(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(_("title"), max_length=200, validators=[validate_no_line_breaks])
    department = models.CharField(_("department"), max_length=120, blank=True, validators=[validate_no_line_breaks])
    location = models.CharField(_("location"), max_length=200, blank=True, validators=[validate_no_line_breaks])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["status", Lower("title")]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="candidates")
    full_name = models.CharField(_("name"), max_length=200, validators=[validate_no_line_breaks])
    # Django's email validation admits control characters inside a quoted local part; the address goes to headers.
    email = models.EmailField(_("email"), max_length=254, validators=[validate_no_line_breaks])
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_no_line_breaks])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    # Blank: the company's default language (recruiting.selectors.candidate_language), which may change later.
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates",
                            verbose_name=_("job"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    notes = models.TextField(_("notes"), blank=True, max_length=20000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["company", "email"]),
        ]

    def __str__(self) -> str:
        return self.full_name


class CandidateListing(models.Model):
    """The candidates as the list searches them: a view (migration 0005) of the columns a search reads, holding the
    rows of the session's companies only. Under row-level security a LIKE is applied only after the tenant check
    (it is not leakproof), so the trigram indexes would go unused and every search would read all of the company's
    candidates; the view reads the table as its owner and applies the tenant condition itself
    (mailbox.models.SentListing, the Sent tab's, says the same at length). Read-only."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.DO_NOTHING, related_name="+")
    # What Candidate allows, this allows: the rows are Candidate's.
    full_name = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    phone = models.CharField(max_length=40, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        managed = False
        db_table = "recruiting_candidate_listing"

    def __str__(self) -> str:
        return self.full_name
