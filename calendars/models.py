from django.db import models
from django_scopes import ScopedManager

from .fields import EncryptedTextField


class Provider(models.TextChoices):
    GOOGLE = "google", "Google Calendar"
    MICROSOFT = "microsoft", "Outlook Calendar"


class CalendarConnection(models.Model):
    """One member's OAuth grant to one Google or Microsoft account."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Connected"
        RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="calendar_connections")
    member = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="calendar_connections")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    account_id = models.CharField(max_length=255, help_text="The provider's stable id of the account.")
    account_email = models.EmailField(max_length=254)
    account_name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_class = models.CharField(max_length=100, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    reconnect_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["provider", "account_email"]
        constraints = [
            models.UniqueConstraint(fields=["member", "provider", "account_id"], name="one_connection_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.account_email}"

    @property
    def needs_reconnect(self) -> bool:
        return self.status == self.Status.RECONNECT_NEEDED


class Calendar(models.Model):
    """A calendar inside a connected account. Selected calendars count towards the member's busy times."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="calendars")
    provider_calendar_id = models.CharField(max_length=1024)
    name = models.CharField(max_length=255)
    time_zone = models.CharField(max_length=64, blank=True)
    color = models.CharField(max_length=20, blank=True)
    is_primary = models.BooleanField(default=False)
    can_edit = models.BooleanField(default=False)
    is_selected = models.BooleanField(default=False)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "provider_calendar_id"], name="one_row_per_provider_calendar"
            ),
        ]

    def __str__(self) -> str:
        return self.name
