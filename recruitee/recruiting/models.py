from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django_scopes import ScopedManager

from recruitee.validators import validate_no_line_breaks, validate_time_zone


class Job(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=200, validators=[validate_no_line_breaks])
    department = models.CharField(max_length=120, blank=True, validators=[validate_no_line_breaks])
    location = models.CharField(max_length=200, blank=True, validators=[validate_no_line_breaks])
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["status", Lower("title")]
        indexes = [models.Index(fields=["company", "status"])]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    class Stage(models.TextChoices):
        APPLIED = "applied", "Applied"
        SCREENING = "screening", "Screening"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        HIRED = "hired", "Hired"
        REJECTED = "rejected", "Rejected"

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="candidates")
    full_name = models.CharField("name", max_length=200, validators=[validate_no_line_breaks])
    # Django's email validation admits control characters inside a quoted local part; the address goes to headers.
    email = models.EmailField(max_length=254, validators=[validate_no_line_breaks])
    phone = models.CharField(max_length=40, blank=True, validators=[validate_no_line_breaks])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.APPLIED)
    notes = models.TextField(blank=True, max_length=20000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"]),
            models.Index(fields=["company", "email"]),
        ]

    def __str__(self) -> str:
        return self.full_name
