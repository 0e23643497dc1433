"""The recruiter's form for a scheduling link: what, the window and its rules, who interviews (panel and pool), how
everyone is invited once the candidate books, and the link email."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from calendars.models import CalendarConnection
from calendars.providers import get_provider
from recruitee.recruiting.models import Candidate
from recruitee.recruiting.selectors import candidate_language
from recruitee.tenancy.models import Membership
from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField, zone_or_utc

from . import emails
from .emails import Wording, unknown_in
from .forms import (
    CALENDAR,
    CHOOSE_CHANNEL,
    EMAIL,
    MESSAGE,
    SEND_FROM,
    SUBJECT,
    UNKNOWN_PLACEHOLDER,
    InterviewerChoice,
    KindAndTitle,
    PlausibleDateField,
    WebLinkField,
    calendar_channel_labels,
    meeting_field,
    subject_too_long,
)
from .invitation_calendar import chosen_connection
from .models import Audience, InterviewKind, Purpose
from .placeholders import RenderedTooLong, UnknownPlaceholder
from .selectors import team_members
from .self_scheduling import MAX_WINDOW_DAYS, RequestSpec, default_window, link_wording_values
from .services import Channels

DURATION_CHOICES = (15, 30, 45, 60, 90, 120)
MAX_NOTICE_HOURS = 24 * 14
MAX_BUFFER_MINUTES = 240
# What {scheduling_link} shows in the preview: the real link exists only once the email is sent.
SAMPLE_LINK = "https://recruit.example.com/book/sample-link/"
LINK_PLACEHOLDER = "{scheduling_link}"


def _number(**attrs) -> forms.NumberInput:
    return forms.NumberInput(attrs={"inputmode": "numeric", **attrs})


class SchedulingRequestForm(KindAndTitle):
    duration = forms.IntegerField(label=gettext_lazy("Duration (minutes)"), min_value=5, max_value=480, initial=60,
                                  widget=_number(list="duration-choices", step=5),
                                  help_text=gettext_lazy("15, 30, 45, 60, 90 or 120, or any length from 5 to 480 "
                                                         "minutes."))
    # A date input takes only 2030-06-12, whatever the page's language writes dates as.
    first_day = PlausibleDateField(label=gettext_lazy("Earliest day"),
                                   widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    last_day = PlausibleDateField(label=gettext_lazy("Latest day"),
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    notice_hours = forms.IntegerField(label=gettext_lazy("Minimum notice (hours)"), min_value=0,
                                      max_value=MAX_NOTICE_HOURS, initial=24, widget=_number(),
                                      help_text=gettext_lazy("No time is offered sooner than this after the "
                                                             "candidate looks."))
    buffer_before = forms.IntegerField(label=gettext_lazy("Buffer before (minutes)"), min_value=0,
                                       max_value=MAX_BUFFER_MINUTES, initial=0, widget=_number(step=5))
    buffer_after = forms.IntegerField(label=gettext_lazy("Buffer after (minutes)"), min_value=0,
                                      max_value=MAX_BUFFER_MINUTES, initial=0, widget=_number(step=5))
    time_zone = TimeZoneField(label=gettext_lazy("Time zone"),
                              help_text=gettext_lazy("The days of the window, and the half-hour grid the times "
                                                     "start on."))
    location = forms.CharField(label=pgettext_lazy("where an interview takes place", "Location"), max_length=300,
                               required=False, validators=[validate_no_line_breaks])
    video_link = WebLinkField(label=gettext_lazy("Video link"), max_length=500, required=False,
                              assume_scheme="https")
    online_meeting = forms.BooleanField(required=False, label=gettext_lazy("Add a meeting link"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Shown in the emails as {note}."))
    panel = InterviewerChoice(label=gettext_lazy("Panel: all of these people"), queryset=Membership.objects.none(),
                              required=False, widget=forms.CheckboxSelectMultiple)
    pool = InterviewerChoice(label=gettext_lazy("Pool: some of these people"), queryset=Membership.objects.none(),
                             required=False, widget=forms.CheckboxSelectMultiple)
    pool_size = forms.IntegerField(label=gettext_lazy("How many of the pool"), required=False, min_value=0,
                                   max_value=100, initial=1, widget=_number(),
                                   help_text=gettext_lazy("The app picks them fairly: fewest interviews that week "
                                                          "first."))
    show_interviewer_names = forms.BooleanField(label=gettext_lazy("Show the interviewers’ names to the candidate"),
                                                required=False)
    candidate_email = forms.BooleanField(required=False, initial=True, label=EMAIL)
    candidate_calendar = forms.BooleanField(required=False, label=CALENDAR)
    interviewers_email = forms.BooleanField(required=False, initial=True, label=EMAIL)
    interviewers_calendar = forms.BooleanField(required=False, label=CALENDAR)
    # Only for an organizer with several working connections, as in the wizard's step 2.
    send_from = forms.ChoiceField(label=SEND_FROM, required=False)
    subject = forms.CharField(label=SUBJECT, max_length=300, validators=[validate_no_line_breaks])
    body = forms.CharField(label=MESSAGE, max_length=20000, widget=forms.Textarea(attrs={"rows": 14}))

    def __init__(self, *args, candidate: Candidate, organizer: Membership, calendar_label: str | None,
                 senders: list[CalendarConnection] = (), default_sender: CalendarConnection | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidate, self.organizer, self.calendar_label = candidate, organizer, calendar_label
        # Only this company's members are choices: another company's id is "not one of the available choices".
        members = team_members(organizer.company)
        self.fields["panel"].queryset = members
        self.fields["pool"].queryset = members
        self.fields["title"].widget.attrs["placeholder"] = self.default_title(InterviewKind.INTERVIEW)
        self.meeting_kind = meeting_field(self, organizer)
        # As in the wizard: without a calendar there is nothing to write the event to, so the box cannot be ticked.
        calendar_channel_labels(self, calendar_label, list(senders), default_sender)

    def sender(self) -> CalendarConnection | None:
        """The connection chosen to send from; None for the organizer's calendar for invitations."""
        if "send_from" not in self.fields:
            return None
        return chosen_connection(self.organizer, self._value("send_from"))

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("title") and "title" not in self.errors:
            data["title"] = self.default_title(data.get("kind") or InterviewKind.INTERVIEW)
        self._check_window(data)
        self._check_people(data)
        self._check_channels(data)
        self._check_email(data)
        return data

    def _check_window(self, data: dict) -> None:
        first, last, zone = data.get("first_day"), data.get("last_day"), data.get("time_zone")
        if first is None or last is None:
            return
        today = timezone.now().astimezone(zone_or_utc(zone)).date()
        if last < first:
            self.add_error("last_day", _("The latest day must not be before the earliest day."))
        elif (last - first).days >= MAX_WINDOW_DAYS:
            self.add_error("last_day", _("The window can be at most %(days)d days long.") % {"days": MAX_WINDOW_DAYS})
        elif first < today:
            self.add_error("first_day", _("The earliest day is in the past. Pick today or a later day."))

    def _check_people(self, data: dict) -> None:
        if "panel" in self.errors or "pool" in self.errors:
            return
        panel, pool = list(data.get("panel") or []), list(data.get("pool") or [])
        both = [member for member in pool if member in panel]
        if both:
            names = ", ".join(member.user.display_name for member in both)
            self.add_error("pool", _("%(names)s: on the panel and in the pool. A person can be in one of them only.")
                           % {"names": names})
        if not panel and not pool:
            self.add_error("panel", _("Choose at least one interviewer, on the panel or in the pool."))
        if "pool_size" in self.errors:
            return
        size = data.get("pool_size")
        if pool:
            if size is None or not 1 <= size <= len(pool):
                self.add_error("pool_size", _("Choose how many of the pool interview: from 1 to %(count)d.")
                               % {"count": len(pool)})
        else:
            data["pool_size"] = 0  # no pool, no number: the box keeps its default

    def _check_channels(self, data: dict) -> None:
        for audience in ("candidate", "interviewers"):
            if not (data.get(f"{audience}_email") or data.get(f"{audience}_calendar")):
                self.add_error(f"{audience}_email", CHOOSE_CHANNEL if self.calendar_label
                               else _("Choose email (calendar needs a connected calendar of yours)."))

    def _check_email(self, data: dict) -> None:
        for part in ("subject", "body"):
            unknown = unknown_in(Wording(data.get(part, ""), ""))
            if unknown:
                self.add_error(part, UNKNOWN_PLACEHOLDER % {"error": UnknownPlaceholder(unknown)})
        body = data.get("body")
        if body is not None and "body" not in self.errors and LINK_PLACEHOLDER not in body:
            self.add_error("body", _("The message must contain {scheduling_link}: it is how the candidate books."))
        if self.errors.get("subject") or self.errors.get("body") or "subject" not in data or "body" not in data:
            return
        values = self.wording_values()
        try:
            emails.render(Wording("", data["body"]), values)
        except RenderedTooLong as error:
            self.add_error("body", str(error))
        try:
            subject = emails.render(Wording(data["subject"], ""), values).subject
        except RenderedTooLong as error:
            self.add_error("subject", str(error))
            return
        limit = self.fields["subject"].max_length
        if len(subject) > limit:
            self.add_error("subject", subject_too_long(len(subject), limit))

    # -- what the form holds, as the service takes it ---------------------------------------------------------

    def _value(self, name: str):
        """The checked value when the field is valid, else what it started with: a half-filled form still gets an
        email preview."""
        data = getattr(self, "cleaned_data", {})
        if name in data:
            return data[name]
        field = self.fields.get(name)  # the meeting box is not there without a connected calendar
        return self.get_initial_for_field(field, name) if field is not None else None

    def spec(self, *, draft: bool = False) -> RequestSpec:
        """The request as the service takes it (a valid form). `draft`: for the preview of a form that may not be
        valid (yet), with the starting values where the fields are not."""
        value = self._value if draft else self.cleaned_data.get
        kind = value("kind") or InterviewKind.INTERVIEW
        first = value("first_day") if isinstance(value("first_day"), date) else timezone.localdate()
        last = value("last_day") if isinstance(value("last_day"), date) else first
        duration = value("duration") if isinstance(value("duration"), int) else 60
        panel, pool = list(value("panel") or []), list(value("pool") or [])
        sender = self.sender()
        # The meeting is made by the calendar that sends: Teams from Outlook, Meet from Google.
        meeting_kind = get_provider(sender.provider).meeting_kind if sender is not None else self.meeting_kind
        return RequestSpec(
            kind=kind, title=value("title") or self.default_title(kind), duration=timedelta(minutes=duration),
            first_day=first, last_day=last,
            time_zone=value("time_zone") or self.organizer.company.time_zone,
            notice=timedelta(hours=value("notice_hours") or 0),
            buffer_before=timedelta(minutes=value("buffer_before") or 0),
            buffer_after=timedelta(minutes=value("buffer_after") or 0),
            location=value("location") or "", note=value("note") or "",
            # The calendar's meeting, made when the candidate books, is the video link.
            video_link="" if value("online_meeting") else value("video_link") or "",
            online_meeting=meeting_kind if value("online_meeting") else "", connection=sender,
            panel=panel, pool=pool, pool_size=(value("pool_size") or 0) if pool else 0,
            show_interviewer_names=bool(value("show_interviewer_names")),
            candidate_via=Channels(email=bool(value("candidate_email")), calendar=bool(value("candidate_calendar"))),
            interviewers_via=Channels(email=bool(value("interviewers_email")),
                                      calendar=bool(value("interviewers_calendar"))),
            job=self.candidate.job,
        )

    def wording_values(self) -> dict[str, str]:
        return link_wording_values(organizer=self.organizer, candidate=self.candidate, spec=self.spec(draft=True),
                                   link=SAMPLE_LINK)

    def wording(self) -> Wording:
        return Wording(self.cleaned_data["subject"], self.cleaned_data["body"])


def initial_request(*, candidate: Candidate, organizer: Membership) -> dict:
    """What the form starts with: the next ten working days in the organizer's zone, the company's link email."""
    zone = organizer.user.time_zone or organizer.company.time_zone
    first, last = default_window(today=timezone.now().astimezone(zone_or_utc(zone)).date())
    wording = emails.company_wording(organizer.company, Audience.CANDIDATE, Purpose.SCHEDULING_LINK,
                                     candidate_language(candidate))
    return {"time_zone": zone, "first_day": first, "last_day": last, "subject": wording.subject,
            "body": wording.body}
