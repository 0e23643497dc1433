from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .fields import EncryptedTextField


class Provider(models.TextChoices):
    GOOGLE = "google", _("Google Calendar")
    MICROSOFT = "microsoft", _("Outlook Calendar")


# Why a sync stopped, by the kind of error the sync recorded (CalendarConnection.last_error_class: the class names
# of calendars.providers.base and calendars.sync.engine, which stay as they are stored).
_PROVIDER_REFUSED = _("The calendar provider refused a request.")
_PROVIDER_UNAVAILABLE = _("The calendar provider could not be reached or had a temporary problem. The sync will "
                          "try again.")
SYNC_ERROR_REASONS = {
    "ReconnectNeeded": _("The provider no longer accepts our access to this calendar (it may have been revoked, or "
                         "the password changed). Reconnect it."),
    "Unauthorized": _("The provider refused our access token."),
    "SyncDeferred": _PROVIDER_UNAVAILABLE,
    "TemporaryProviderError": _PROVIDER_UNAVAILABLE,
    "RateLimited": _("The calendar provider asked us to slow down. The sync will try again."),
    "ProviderError": _PROVIDER_REFUSED,
    "AuthorizationFailed": _PROVIDER_REFUSED,
    "EventNotFound": _PROVIDER_REFUSED,
    "FullSyncRequired": _PROVIDER_REFUSED,
    "UnknownProvider": _PROVIDER_REFUSED,
    "unexpected": _("An unexpected error stopped the sync."),
}


class CalendarConnection(models.Model):
    """One member's OAuth grant to one Google or Microsoft account."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        RECONNECT_NEEDED = "reconnect_needed", _("Reconnect needed")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="calendar_connections")
    member = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="calendar_connections")
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    account_id = models.CharField(max_length=255, help_text="The provider's stable id of the account.")
    account_email = models.EmailField(_("account"), max_length=254)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    access_token = EncryptedTextField()
    refresh_token = EncryptedTextField()
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.TextField(blank=True)
    connected_at = models.DateTimeField(_("connected"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_sync_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_class = models.CharField(max_length=100, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    reconnect_notified_at = models.DateTimeField(null=True, blank=True)

    # Sync bookkeeping. The lock is a token plus a heartbeat: a worker that dies mid-sync leaves a lock that goes
    # stale, so the redelivered task can take over instead of waiting forever.
    sync_lock_token = models.CharField(max_length=64, blank=True)
    sync_heartbeat_at = models.DateTimeField(null=True, blank=True)
    sync_requested = models.BooleanField(default=False, help_text="Another sync was asked for while one ran.")
    sync_full_requested = models.BooleanField(default=False)
    # Set when a notification (or the beat) queues a sync, cleared when a sync takes the lock: while it is set, more
    # notifications queue nothing, so a burst leaves one task waiting, not thousands.
    sync_queued_at = models.DateTimeField(null=True, blank=True)
    sync_started_at = models.DateTimeField(null=True, blank=True)
    sync_pages_fetched = models.PositiveIntegerField(default=0)
    sync_events_stored = models.PositiveIntegerField(default=0)
    # Events of the last sync (all its runs, when it was resumed) that the provider sent but that could not be read
    # or stored; the sync went on without them.
    sync_events_skipped = models.PositiveIntegerField(default=0)
    events_count = models.PositiveIntegerField(default=0)
    syncs_succeeded = models.PositiveIntegerField(default=0)
    syncs_failed = models.PositiveIntegerField(default=0)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["provider", "account_email"]
        verbose_name = _("calendar connection")
        verbose_name_plural = _("calendar connections")
        constraints = [
            models.UniqueConstraint(fields=["member", "provider", "account_id"], name="one_connection_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.account_email}"

    @property
    def needs_reconnect(self) -> bool:
        return self.status == self.Status.RECONNECT_NEEDED

    @property
    def last_error_reason(self) -> str:
        """Why the last sync failed, in the reader's language. `last_error` keeps the details as they were
        recorded (in English: the provider's own words, an HTTP status); pages show them after this sentence.
        Empty when the recorded error is of no known kind (the details then stand alone)."""
        if not self.last_error:
            return ""
        reason = SYNC_ERROR_REASONS.get(self.last_error_class)
        if reason is None:
            # Any other class is one nobody foresaw (the sync records those as "Unexpected error (…)").
            reason = SYNC_ERROR_REASONS["unexpected"] if self.last_error_class else ""
        return str(reason)

    @property
    def is_syncing(self) -> bool:
        if not self.sync_lock_token or self.sync_heartbeat_at is None:
            return False
        age = (timezone.now() - self.sync_heartbeat_at).total_seconds()
        return age < settings.CALENDAR_SYNC_LOCK_STALE_SECONDS


class Calendar(models.Model):
    """A calendar inside a connected account. Selected calendars count towards the member's busy times."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="calendars")
    provider_calendar_id = models.CharField(max_length=1024)
    name = models.CharField(_("name"), max_length=255)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    color = models.CharField(max_length=20, blank=True)
    is_primary = models.BooleanField(default=False)
    can_edit = models.BooleanField(default=False)
    is_selected = models.BooleanField(_("counts as busy"), default=False)

    # Where the sync stands. `sync_cursor` is the provider's cursor after the last complete sync (Google's
    # nextSyncToken, Graph's deltaLink). While a sync runs, `sync_page` is the next page to fetch, so a retried or
    # redelivered sync resumes there; `sync_mode` says whether that run is a full or an incremental one.
    sync_cursor = models.TextField(blank=True)
    sync_page = models.TextField(blank=True)
    sync_mode = models.CharField(max_length=12, blank=True)
    # Every full sync stamps the events it sees with a new generation; what is older at its end has vanished.
    sync_generation = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "provider_calendar_id"], name="one_row_per_provider_calendar"
            ),
            # What the events' foreign key refers to: a calendar together with its company (migration 0009).
            models.UniqueConstraint(fields=["id", "company"], name="calendar_with_its_company"),
        ]

    def __str__(self) -> str:
        return self.name


# Reads of a time window go by (calendar, start) from `window start - NARROW_SPAN` to the window's end: an event that
# overlaps the window and starts earlier than that lasts longer than NARROW_SPAN (a holiday, a conference), and those
# few have an index of their own, by their end. An all-day event is 23 to 25 hours long, so it stays narrow.
NARROW_SPAN = timedelta(hours=26)
LONG_EVENT = models.Q(GreaterThan(models.F("end") - models.F("start"), NARROW_SPAN))
# UID lookups are for our own interviews' UIDs (short ASCII). A provider may send any UID up to 1,024 characters,
# and a btree entry cannot pass ~2.7 kB (1,024 emoji are 4 kB): those few are left out of the index rather than
# failing the sync's insert. A query by UID must carry the same condition to use the index (events_by_uid does).
MAX_INDEXED_UID = 600
INDEXED_UID = models.Q(LessThanOrEqual(Length("ical_uid"), MAX_INDEXED_UID)) & ~models.Q(ical_uid="")


class Event(models.Model):
    """One entry of a synced calendar (recurring series are stored as their instances)."""

    # On PostgreSQL one foreign key holds both columns: (calendar, company) refers to a calendar *of that company*
    # (migration 0009), so the database itself refuses an event filed under another company than its calendar's,
    # and a synced row costs one check at commit instead of two (a full sync writes 100,000 of them).
    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    # No index of its own: the (calendar, provider_event_id) and (calendar, start, end) indexes both start with it.
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events", db_index=False,
                                 db_constraint=False)
    provider_event_id = models.CharField(max_length=1024)
    ical_uid = models.CharField(max_length=1024, blank=True)
    title = models.CharField(_("title"), max_length=1024, blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    time_zone = models.CharField(max_length=64, blank=True, help_text="The zone the event was created in.")
    all_day = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Exclusive, as the providers send it.")
    status = models.CharField(max_length=20, default="confirmed")
    is_busy = models.BooleanField(default=True)
    organizer_email = models.CharField(max_length=254, blank=True)
    organizer_name = models.CharField(max_length=200, blank=True)
    attendees = models.JSONField(default=list, blank=True)
    series_id = models.CharField(max_length=1024, blank=True)
    provider_updated_at = models.DateTimeField(null=True, blank=True)
    sync_generation = models.PositiveIntegerField(default=0)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["start", "end"]
        verbose_name = _("calendar event")
        verbose_name_plural = _("calendar events")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "provider_event_id"], name="one_row_per_provider_event"),
        ]
        # Reads go by calendar and time, bounded on both ends (calendars.selectors.overlapping); writes by
        # (calendar, provider id), the unique constraint's index. A (company, start) index tempted PostgreSQL into
        # scanning a whole company's events for those writes. Every index here costs the sync's inserts.
        indexes = [
            models.Index(fields=["calendar", "start", "end"], name="calendars_event_window"),
            models.Index(fields=["calendar", "end"], condition=LONG_EVENT, name="calendars_event_long"),
            models.Index(fields=["company", "ical_uid"], condition=INDEXED_UID, name="calendars_event_uid"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or str(_("(No title)"))


class PushChannel(models.Model):
    """A provider's promise to notify us of changes: a Google watch channel or a Microsoft Graph subscription.

    The webhook finds its channel from what the provider sends back (our channel id, or the clientState we chose),
    both of which start with the company id, so it can open the right tenant scope before looking anything up.
    """

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="push_channels")
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    channel_id = models.CharField(max_length=255, unique=True, help_text="Google channel id / Graph subscription id")
    resource_id = models.CharField(max_length=255, blank=True)
    secret = models.CharField(max_length=255, help_text="Google channel token / Graph clientState")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    notifications = models.PositiveIntegerField(default=0)
    last_notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["expires_at"]
        verbose_name = _("push channel")
        verbose_name_plural = _("push channels")

    def __str__(self) -> str:
        return f"{self.get_provider_display()} push channel for {self.connection}"
