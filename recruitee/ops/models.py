from django.conf import settings
from django.db import models
from django_scopes import ScopedManager


class WorkerHeartbeat(models.Model):
    """One row, touched by the beat schedule through a worker: proves that beat, broker and worker all run."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class WorkerPing(models.Model):
    """An admin's "is the worker there?" request, answered by a worker."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    hostname = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Ping {self.pk}"

    @property
    def round_trip(self):
        return self.answered_at - self.requested_at if self.answered_at else None
