"""Interviews: an event with a candidate, an organizer and interviewers, and everything sent about it."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calendars.models import Provider
from recruitee.validators import validate_no_line_breaks, validate_time_zone


class InterviewKind(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    PHONE_SCREEN = "phone_screen", _("Phone screen")
    VIDEO_CALL = "video_call", _("Video call")
    ON_SITE = "on_site", _("On-site interview")


class OnlineMeeting(models.TextChoices):
    GOOGLE_MEET = "google_meet", "Google Meet"
    TEAMS = "teams", "Microsoft Teams"


def new_ical_uid() -> str:
    return f"{uuid.uuid4()}@recruitee"


class Interview(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="interviews")
    candidate = models.ForeignKey("recruiting.Candidate", on_delete=models.CASCADE, related_name="interviews")
    job = models.ForeignKey("recruiting.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Indexed with the start (Meta): a member's interviews are read by time.
    organizer = models.ForeignKey("tenancy.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False)
    kind = models.CharField(max_length=20, choices=InterviewKind.choices, default=InterviewKind.INTERVIEW)
    title = models.CharField(max_length=200, validators=[validate_no_line_breaks])
    start = models.DateTimeField()
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    location = models.CharField(max_length=300, blank=True, validators=[validate_no_line_breaks])
    video_link = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True, max_length=5000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    # A video meeting the organizer's calendar makes for the interview (Google Meet, Microsoft Teams); its join
    # link is kept in `video_link` once the provider has made it.
    online_meeting = models.CharField(max_length=12, choices=OnlineMeeting.choices, blank=True)
    # The language of the one message to all interviewers (invitation, updates, cancellation), chosen in the
    # wizard's step 2; one of settings.LANGUAGES. Blank (older interviews): the organizer's language.
    interviewers_language = models.CharField(max_length=12, blank=True)
    # The same UID for the interview's whole life; SEQUENCE rises with every change attendees must see.
    ical_uid = models.CharField(max_length=255, unique=True, default=new_ical_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    # Why it was cancelled (a reason from the list, the recruiter's own words, or the candidate's from the
    # scheduling link) and the note to the candidate: the cancellation emails read them as {cancellation_reason}
    # and {cancellation_note}.
    cancellation_reason = models.CharField(max_length=2000, blank=True, validators=[validate_no_line_breaks])
    cancellation_note = models.TextField(max_length=2000, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The organizer's connected calendar the interview was sent from (scheduling/invitation_calendar.py), and its
    # name then: a disconnected calendar leaves the name, so the pages can say which one is gone. Both empty (older
    # interviews): the organizer's calendar for invitations.
    calendar_connection = models.ForeignKey("calendars.CalendarConnection", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    calendar_account = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["company", "start"]), models.Index(fields=["candidate", "start"]),
                   models.Index(fields=["organizer", "start"], name="interview_organizer_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="interview_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class InterviewListing(models.Model):
    """Interview titles as the Interviews page searches them: a view (migration 0017) holding the rows of the
    session's companies only, so that the search's LIKE reaches the trigram index under row-level security
    (mailbox.models.SentListing says why at length). Read-only."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.DO_NOTHING, related_name="+")
    # What Interview allows, this allows: the rows are Interview's.
    title = models.CharField(max_length=200)

    objects = ScopedManager(company="company")

    class Meta:
        managed = False
        db_table = "scheduling_interview_listing"

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """Someone invited to an interview, and how: by our email, by the organizer's calendar, or both."""

    class Role(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        INTERVIEWER = "interviewer", _("Interviewer")

    class Response(models.TextChoices):
        NEEDS_ACTION = "needs_action", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        TENTATIVE = "tentative", _("Maybe")
        DECLINED = "declined", _("Declined")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="participants")
    role = models.CharField(max_length=12, choices=Role.choices)
    # Indexed with the interview (Meta): "the interviews I take part in" is read from the index alone.
    member = models.ForeignKey("tenancy.Membership", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False)
    name = models.CharField(max_length=200, validators=[validate_no_line_breaks])
    email = models.EmailField(max_length=254)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    by_email = models.BooleanField(default=False)
    by_calendar = models.BooleanField(default=False)
    response = models.CharField(max_length=14, choices=Response.choices, default=Response.NEEDS_ACTION)
    response_at = models.DateTimeField(null=True, blank=True)  # when the answer last changed, as we learnt it

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["role", "name"]
        # With the company, which every read names and row-level security checks, and the role (the Interviews
        # page's interviewer filter), so that the index alone answers. (As key columns: SQLite has no INCLUDE.)
        indexes = [models.Index(fields=["member", "interview", "company", "role"],
                                name="participant_member_interview")]
        constraints = [models.UniqueConstraint(fields=["interview", "email"], name="one_participant_per_address")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Audience(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    INTERVIEWERS = "interviewers", _("Interviewers")


class Purpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    UPDATE = "update", _("Update")
    CANCELLATION = "cancellation", _("Cancellation")
    # The candidate's email with a link to pick a time themselves (candidate audience only).
    SCHEDULING_LINK = "booking_link", _("Scheduling link")
    # Sent by the beat before the interview starts (scheduling/reminders.py), to every participant by email.
    REMINDER = "reminder", _("Reminder")


class InviteTemplate(models.Model):
    """A company's wording for one audience, purpose and language. Candidate and interviewer templates are separate
    rows, and so is each language: editing one never changes another."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="invite_templates")
    audience = models.CharField(max_length=14, choices=Audience.choices)
    purpose = models.CharField(max_length=14, choices=Purpose.choices)
    # One of settings.LANGUAGES (not a choices list here: a language added to the settings needs no migration).
    language = models.CharField(max_length=12)
    subject = models.CharField(max_length=300, validators=[validate_no_line_breaks])
    body = models.TextField(max_length=20000)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "audience", "purpose", "language"],
                                    name="one_template_per_use_and_language"),
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.get_purpose_display().lower()} ({self.language})"


class MeetingStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    PENDING = "pending", _("Being created")
    # Asked for again (Retry) after it failed, when the invitations had gone out without it: once made, the
    # people invited get an update with the link.
    RETRYING = "retrying", _("Being created again")
    CREATED = "created", _("Created")
    FAILED = "failed", _("Failed")


class CalendarInvite(models.Model):
    """The interview as an event in the organizer's connected calendar, whose provider invites the attendees."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    interview = models.OneToOneField(Interview, on_delete=models.CASCADE, related_name="calendar_invite")
    connection = models.ForeignKey("calendars.CalendarConnection", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    provider = models.CharField(max_length=20)
    # Our idempotency key: the provider event id (Google) or transactionId (Graph) is derived from it, so a
    # retried create finds the event the first attempt made instead of making a second one.
    key = models.CharField(max_length=64, unique=True, default=uuid.uuid4)
    provider_event_id = models.CharField(max_length=1024, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A digest of what the provider event was last made to say: the sync task compares it with the interview
    # and writes only when they differ, so a repeated task never sends attendees a second update.
    synced_digest = models.CharField(max_length=64, blank=True)
    # The video meeting the provider makes with the event: asked for, being made (Google may answer "pending"
    # first), made, or failed with the reason.
    meeting_status = models.CharField(max_length=12, choices=MeetingStatus.choices, blank=True)
    meeting_error = models.TextField(blank=True)
    # Retry of a failed meeting: the id of the request to make it again, until the provider has been asked.
    meeting_request = models.CharField(max_length=64, blank=True)
    # The invitations held while the meeting is made, worded as they were when the recruiter pressed Send (what
    # goes out then, whatever the draft or the templates say later): {audience: {"subject", "body", "language"}}.
    held_wording = models.JSONField(default=dict, blank=True)
    # What the provider's event says that the interview does not, found by the sync (moved, deleted, people
    # changed in the calendar app): shown to the recruiter, who applies it or restores ours. Empty: they agree.
    outside_change = models.JSONField(default=dict, blank=True)
    outside_change_at = models.DateTimeField(null=True, blank=True)
    # Emails that wait for the provider to take people off its event (moved from the calendar to our email where
    # the event carries our UID): sent by the sync task once the provider's cancellation to them is out, so it can
    # never remove the entry our email brings. Items: {"audience", "participants", "subject", "body", "previous"}.
    after_removal = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    def __str__(self) -> str:
        return f"{self.provider} event for {self.interview}"

    @property
    def provider_label(self) -> str:
        # The connection's own list of providers names them; a row of a provider since removed keeps its code.
        return str(dict(Provider.choices).get(self.provider, self.provider))  # a lazy label cannot go into JSON

    @property
    def meeting_retryable(self) -> bool:
        """The calendar could not make the interview's meeting and Retry may ask it again (the interview page's
        button; calendar_channel.meeting_retry_open decides under the row locks)."""
        return (self.meeting_status == MeetingStatus.FAILED and bool(self.interview.online_meeting)
                and not self.interview.is_cancelled)


class InterviewMessage(models.Model):
    """An outbox message sent about an interview (invitation, update, cancellation). The link lives here, not on the
    message: the mailbox sends what it is given and knows nothing of interviews."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="message_links")
    message = models.OneToOneField("mailbox.Message", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager(company="company")

    def __str__(self) -> str:
        return f"Message {self.message_id} about interview {self.interview_id}"


class ScheduleDraft(models.Model):
    """One open wizard: step 1's answers, what step 2 holds so far and, once sent, the interview it became.

    Sending locks this row and marks it used in the transaction that creates the interview, so a draft becomes at
    most one interview however many tabs send it (and the unique `interview` link says the same to the database).
    """

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey("recruiting.Candidate", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32, unique=True)
    step1 = models.JSONField(default=dict, blank=True)  # field name -> list of values, as the browser posted them
    step2 = models.JSONField(default=dict, blank=True)
    # Per audience, the placeholder values the step-2 text was written against: a later change in step 1 that the
    # text mentions literally ("see you in Room 4") is pointed out instead of silently going stale.
    written_against = models.JSONField(default=dict, blank=True)
    interview = models.OneToOneField(Interview, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="draft")
    used_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        indexes = [models.Index(fields=["owner", "updated_at"])]

    def __str__(self) -> str:
        return f"Scheduling draft {self.key}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None


class SchedulingRequest(models.Model):
    """A link that lets the candidate pick a time themselves, out of the times that work for the interviewers.

    The link's token is shown once (in the email) and stored only as its SHA-256: a database dump does not reveal
    working links. Resending makes a new token, so the old link stops working. The same link later lets the
    candidate reschedule or cancel what they booked.
    """

    class Status(models.TextChoices):
        SENT = "sent", _("Link sent")
        OPENED = "opened", _("Opened")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled by the candidate")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey("recruiting.Candidate", on_delete=models.CASCADE, related_name="scheduling_requests")
    job = models.ForeignKey("recruiting.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organizer = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    kind = models.CharField(max_length=20, choices=InterviewKind.choices, default=InterviewKind.INTERVIEW)
    title = models.CharField(max_length=200, validators=[validate_no_line_breaks])
    duration_minutes = models.PositiveSmallIntegerField()
    first_day = models.DateField()
    last_day = models.DateField()
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    notice_minutes = models.PositiveIntegerField(default=24 * 60)
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=300, blank=True, validators=[validate_no_line_breaks])
    video_link = models.URLField(max_length=500, blank=True)
    online_meeting = models.CharField(max_length=12, choices=OnlineMeeting.choices, blank=True)
    note = models.TextField(blank=True, max_length=5000)
    # "Any N of the pool" besides the panel; 0 when there is no pool.
    pool_size = models.PositiveSmallIntegerField(default=0)
    show_interviewer_names = models.BooleanField(default=False)

    # How each audience is invited once the candidate books (as in the wizard's step 2).
    candidate_by_email = models.BooleanField(default=True)
    candidate_by_calendar = models.BooleanField(default=False)
    interviewers_by_email = models.BooleanField(default=True)
    interviewers_by_calendar = models.BooleanField(default=False)
    # The calendar the booked interview is sent from, as on Interview (empty: the organizer's calendar for
    # invitations when the candidate books).
    calendar_connection = models.ForeignKey("calendars.CalendarConnection", null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    calendar_account = models.CharField(max_length=300, blank=True)

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    booked_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # withdrawn or cancelled
    cancel_reason = models.TextField(blank=True, max_length=2000)
    reschedules = models.PositiveSmallIntegerField(default=0)
    interview = models.OneToOneField(Interview, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="scheduling_request")
    link_message = models.ForeignKey("mailbox.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["candidate", "-created_at"], name="schedreq_candidate"),
                   models.Index(fields=["company", "status"], name="schedreq_company_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")),
                                   name="scheduling_window_not_reversed"),
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=8 * 60),
                                   name="scheduling_duration_in_range"),
        ]

    def __str__(self) -> str:
        return f"Scheduling link: {self.title}"


class SchedulingRequestMember(models.Model):
    """One interviewer of a request: on the panel (always there) or in the pool (the app picks `pool_size`)."""

    class Role(models.TextChoices):
        PANEL = "panel", _("Panel")
        POOL = "pool", _("Pool")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(SchedulingRequest, on_delete=models.CASCADE, related_name="members")
    member = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=5, choices=Role.choices)

    objects = ScopedManager(company="company")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "member"], name="one_role_per_request_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} member {self.member_id}"


class ReminderOffset(models.IntegerChoices):
    """How long before the start a reminder goes out, in minutes."""

    MINUTES_15 = 15, _("15 minutes before")
    HOUR_1 = 60, _("1 hour before")
    HOURS_2 = 120, _("2 hours before")
    DAY_1 = 24 * 60, _("1 day before")
    DAYS_2 = 2 * 24 * 60, _("2 days before")


def default_candidate_offsets() -> list[int]:
    return [ReminderOffset.DAY_1.value]


class ReminderSettings(models.Model):
    """When a company reminds candidates and interviewers of an interview: a list of offsets per audience (empty:
    off). A company without a row has the defaults; the row is written the first time an admin saves."""

    company = models.OneToOneField("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    candidate_offsets = models.JSONField(default=default_candidate_offsets, blank=True)
    interviewer_offsets = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    def __str__(self) -> str:
        return f"Reminder settings of company {self.company_id}"

    def offsets_for(self, role: str) -> list[int]:
        return list(self.candidate_offsets if role == Participant.Role.CANDIDATE else self.interviewer_offsets)


class ReminderDelivery(models.Model):
    """One reminder of one participant for one version (SEQUENCE) of an interview. The unique constraint is the
    claim: whichever worker inserts the row sends the reminder, so two workers racing send it once."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="reminder_deliveries")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    offset_minutes = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    message = models.ForeignKey("mailbox.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(company="company")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "offset_minutes", "sequence"],
                                    name="one_reminder_per_participant_offset_version"),
        ]

    def __str__(self) -> str:
        return f"Reminder {self.offset_minutes} min before interview {self.interview_id} ({self.status})"


class InvitationCalendar(models.Model):
    """Which of a member's connected calendars sends their invitations, when they have several (Google and
    Outlook). No row: the first one connected. The row goes with the connection."""

    company = models.ForeignKey("tenancy.Company", on_delete=models.CASCADE, related_name="+")
    member = models.OneToOneField("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey("calendars.CalendarConnection", on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(company="company")

    def __str__(self) -> str:
        return f"Invitation calendar of member {self.member_id}"
