"""Step 1 (what, when, who), step 2 (how to invite, and the two emails) and the company templates."""

from __future__ import annotations

from datetime import time, timedelta

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from calendars.models import CalendarConnection
from calendars.providers import get_provider
from recruitee.params import parse_id
from recruitee.recruiting.models import Candidate
from recruitee.tenancy.models import Membership
from recruitee.validators import validate_no_line_breaks
from recruitee.zones import TimeZoneField, zone_for, zone_or_utc

from . import emails
from .emails import Wording, unknown_in
from .invitation_calendar import chosen_connection, sender_choices
from .models import Interview, InterviewKind, Participant
from .placeholders import RenderedTooLong, UnknownPlaceholder
from .plan import Plan
from .selectors import team_members
from .timezones import (
    DayOutOfRange,
    NonexistentLocalTime,
    is_ambiguous,
    is_plausible_day,
    local_datetime,
    out_of_range,
    wall_clock_day,
)

DURATIONS = [(15, gettext_lazy("15 minutes")), (30, gettext_lazy("30 minutes")), (45, gettext_lazy("45 minutes")),
             (60, gettext_lazy("1 hour")), (90, gettext_lazy("1.5 hours")), (120, gettext_lazy("2 hours")),
             (180, gettext_lazy("3 hours"))]
# "Use one from the list" after an unknown placeholder's own message (placeholders.py).
UNKNOWN_PLACEHOLDER = gettext_lazy("%(error)s. Use one from the list, or write {{ and }} for literal braces.")


def subject_too_long(length: int, limit: int) -> str:
    return _("With these values the subject would be %(length)s characters long; the limit is %(limit)s.") % {
        "length": number_format(length, force_grouping=True), "limit": limit}


class InterviewerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.display_name

    def _check_values(self, value):
        # Only short ASCII digit strings are ids: anything else (a 30-digit number overflows the database's integer)
        # is simply not one of the choices.
        for item in value:
            if parse_id(str(item)) is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": item})
        return super()._check_values(value)


class PlausibleDateField(forms.DateField):
    """A day an event can be on: 9999-12-31 or 0001-01-01 parse as dates, but an hour or a zone later they are not."""

    def validate(self, value) -> None:
        super().validate(value)
        if value is not None and not is_plausible_day(value):
            raise forms.ValidationError(out_of_range(), code="out_of_range")


class WebLinkField(forms.URLField):
    """http and https only: a video link is opened by a browser, and the calendar invitation accepts nothing else."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter an http:// or https:// link, like https://meet.example.com/abc.")}
    default_validators = [URLValidator(schemes=["http", "https"])]


class KindAndTitle(forms.Form):
    """The event's type and title, shared by the wizard and scheduling links: an empty title becomes the type and
    the job ("Interview: Backend Engineer"), or the type and the candidate when there is no job."""

    kind = forms.ChoiceField(label=pgettext_lazy("kind of event", "Type"), choices=InterviewKind.choices,
                             initial=InterviewKind.INTERVIEW)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False,
                            help_text=gettext_lazy("Leave empty to use the type and the job."),
                            validators=[validate_no_line_breaks])
    candidate: Candidate

    def default_title(self, kind: str) -> str:
        label = InterviewKind(kind).label
        job = self.candidate.job
        if job:
            return _("%(kind)s: %(job)s") % {"kind": label, "job": job.title}
        return _("%(kind)s with %(candidate)s") % {"kind": label, "candidate": self.candidate.full_name}

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())


class ScheduleForm(KindAndTitle):
    # A date input's value is ISO whatever the page's language ("01.12.2026" would show an empty field in German).
    date = PlausibleDateField(label=gettext_lazy("Date"),
                              widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    start_time = forms.TimeField(label=pgettext_lazy("start time", "Start"),
                                 widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 300}))
    duration = forms.TypedChoiceField(label=gettext_lazy("Duration"), choices=DURATIONS, coerce=int, initial=60,
                                      required=False)
    end_time = forms.TimeField(label=gettext_lazy("or end time"), required=False,
                               widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 300}))
    time_zone = TimeZoneField(label=gettext_lazy("Time zone"))
    location = forms.CharField(label=pgettext_lazy("where an interview takes place", "Location"), max_length=300,
                               required=False, validators=[validate_no_line_breaks])
    video_link = WebLinkField(label=gettext_lazy("Video link"), max_length=500, required=False,
                              assume_scheme="https")
    # Shown only with a connected calendar, labelled by its provider ("Add a Google Meet link").
    online_meeting = forms.BooleanField(required=False, label=gettext_lazy("Add a meeting link"))
    invite_candidate = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Invite the candidate"))
    interviewers = InterviewerChoice(label=gettext_lazy("Interviewers"), queryset=Membership.objects.none(),
                                     required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Shown in the invitations as {note}."))

    def __init__(self, *args, candidate: Candidate, organizer: Membership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidate, self.organizer = candidate, organizer
        # Only this company's members are choices: another company's id is "not one of the available choices".
        self.fields["interviewers"].queryset = team_members(organizer.company)
        self.fields["title"].widget.attrs["placeholder"] = self.default_title(InterviewKind.INTERVIEW)
        self.warnings: list[str] = []
        self.meeting_kind = meeting_field(self, organizer)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("online_meeting"):
            data["video_link"] = ""  # the calendar's meeting is the video link
        if not data.get("invite_candidate") and not data.get("interviewers"):
            self.add_error(None, _("Invite the candidate or at least one interviewer."))
        day, at, zone = data.get("date"), data.get("start_time"), data.get("time_zone")
        if day is None or at is None or not zone:
            return data
        try:
            start = local_datetime(day, at, zone)
        except NonexistentLocalTime as error:
            self.add_error("start_time", str(error))
            return data
        except DayOutOfRange as error:
            self.add_error("date", str(error))
            return data
        if data.get("end_time"):
            try:
                end = local_datetime(day, data["end_time"], zone)
            except NonexistentLocalTime as error:
                self.add_error("end_time", str(error))
                return data
        else:
            end = start + timedelta(minutes=data.get("duration") or 60)
        if end <= start:
            self.add_error("end_time", _("The event must end after it starts."))
            return data
        if is_ambiguous(day, at, zone):
            self.warnings.append(_("%(time)s happens twice on %(day)s in %(zone)s (the clocks go back): we use the "
                                   "first one, still on summer time.")
                                 % {"time": f"{at:%H:%M}", "day": wall_clock_day(day), "zone": zone})
        if start < timezone.now():
            self.warnings.append(_("This time is in the past."))
        data["start"], data["end"] = start, end
        if not data.get("title"):
            data["title"] = self.default_title(data.get("kind") or InterviewKind.INTERVIEW)
        return data

    def plan(self) -> Plan:
        data = self.cleaned_data
        return Plan(
            kind=data["kind"], title=data["title"], start=data["start"], end=data["end"],
            time_zone=data["time_zone"], candidate=self.candidate, job=self.candidate.job, organizer=self.organizer,
            interviewers=list(data["interviewers"]), invite_candidate=data["invite_candidate"],
            location=data["location"], video_link=data["video_link"], note=data["note"],
            online_meeting=self.meeting_kind if data.get("online_meeting") else "",
        )


def meeting_field(form: forms.Form, organizer: Membership) -> str:
    """Label the form's `online_meeting` box by the organizer's calendar, or drop it without one. Returns the
    OnlineMeeting value the box stands for (empty without a calendar)."""
    connections, connection = sender_choices(organizer)
    if connection is None:
        del form.fields["online_meeting"]
        return ""
    adapter = get_provider(connection.provider)
    form.fields["online_meeting"].label = _("Add a %(meeting)s link") % {"meeting": adapter.meeting_label}
    form.fields["online_meeting"].help_text = _("Made in your calendar when you send; the video link is left empty.")
    if len(connections) > 1:
        form.fields["online_meeting"].help_text = _(
            "Made by the calendar you send from (%(calendar)s unless you choose another); the video link is left "
            "empty.") % {"calendar": connection}
    return adapter.meeting_kind


def calendar_channel_labels(form: forms.Form, calendar_label: str | None, senders: list[CalendarConnection],
                            default: CalendarConnection | None = None) -> None:
    """Label the calendar boxes by the calendar that sends; with several working connections, the "Send from"
    choice names them instead (`default` first chosen). Without any, the boxes cannot be ticked."""
    several = len(senders) > 1
    if several:
        field = form.fields["send_from"]
        field.choices = [(str(c.pk), str(c)) for c in senders]
        field.initial = str((default or senders[0]).pk)
    else:
        del form.fields["send_from"]
    for audience in ("candidate", "interviewers"):
        field = form.fields[f"{audience}_calendar"]
        if several:
            field.label = pgettext("a way to invite", "Calendar")
        elif calendar_label:
            field.label = _("Calendar (%(calendar)s)") % {"calendar": calendar_label}
        else:
            field.disabled = True
            field.label = _("Calendar (connect your Google or Outlook calendar first)")


def initial_for(candidate: Candidate, organizer: Membership) -> dict:
    zone = organizer.user.time_zone or organizer.company.time_zone
    day = timezone.now().astimezone(zone_or_utc(zone)).date() + timedelta(days=1)
    # The organizer's next working day from tomorrow: Find time then opens on days they can use, not on a Sunday.
    weekdays = organizer.working_weekdays
    for _attempt in range(6):
        if day.isoweekday() in weekdays:
            break
        day += timedelta(days=1)
    return {"time_zone": zone, "date": day, "start_time": time(10), "duration": 60, "invite_candidate": True}


def initial_from_interview(interview: Interview) -> dict:
    local_start = interview.start.astimezone(zone_for(interview.time_zone))
    local_end = interview.end.astimezone(zone_for(interview.time_zone))
    minutes = int((interview.end - interview.start).total_seconds() // 60)
    # A duration from the list keeps "move it to 11:00" a one-field change; anything else needs its end time.
    when = {"duration": minutes} if minutes in dict(DURATIONS) else {"end_time": local_end.time()}
    return {
        "kind": interview.kind, "title": interview.title, "date": local_start.date(), "start_time": local_start.time(),
        "time_zone": interview.time_zone, "location": interview.location, "video_link": interview.video_link,
        "note": interview.note, **when,
    }


class RescheduleForm(ScheduleForm):
    """Step 1 for an existing interview: time, place, wording and interviewers; the candidate stays as invited."""

    def __init__(self, *args, interview: Interview, **kwargs) -> None:
        self.interview = interview
        super().__init__(*args, candidate=interview.candidate, organizer=interview.organizer, **kwargs)
        del self.fields["invite_candidate"]
        self.fields.pop("online_meeting", None)  # a meeting, once made, stays through reschedules
        self.fields["interviewers"].initial = [p.member_id for p in interview.participants.all()
                                               if p.role == Participant.Role.INTERVIEWER and p.member_id]

    def clean(self) -> dict:
        self.cleaned_data["invite_candidate"] = any(
            p.role == Participant.Role.CANDIDATE for p in self.interview.participants.all())
        return super().clean()

    def plan(self) -> Plan:
        current = Plan.of(self.interview)
        data = self.cleaned_data
        for name in ("kind", "title", "start", "end", "time_zone", "location", "video_link", "note"):
            setattr(current, name, data[name])
        current.interviewers = list(data["interviewers"])
        return current


# The channel boxes and the email's fields, in step 2 and on the scheduling-link form.
EMAIL = pgettext_lazy("a way to invite", "Email")
CALENDAR = pgettext_lazy("a way to invite", "Calendar")
SEND_FROM = gettext_lazy("Send from")
SUBJECT = pgettext_lazy("of an email", "Subject")
MESSAGE = pgettext_lazy("the text of an email", "Message")
CHOOSE_CHANNEL = gettext_lazy("Choose email, calendar or both.")


class InviteForm(forms.Form):
    """Step 2. `sending` is True for the Send button: only then must a time in the past be confirmed."""

    candidate_email = forms.BooleanField(required=False, initial=True, label=EMAIL)
    candidate_calendar = forms.BooleanField(required=False, label=CALENDAR)
    interviewers_email = forms.BooleanField(required=False, initial=True, label=EMAIL)
    interviewers_calendar = forms.BooleanField(required=False, label=CALENDAR)
    # Only for an organizer with several working connections: which one adds the event and invites.
    send_from = forms.ChoiceField(label=SEND_FROM, required=False)
    candidate_subject = forms.CharField(label=SUBJECT, max_length=300, required=False,
                                        validators=[validate_no_line_breaks])
    candidate_body = forms.CharField(label=MESSAGE, max_length=20000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 14}))
    interviewers_subject = forms.CharField(label=SUBJECT, max_length=300, required=False,
                                           validators=[validate_no_line_breaks])
    interviewers_body = forms.CharField(label=MESSAGE, max_length=20000, required=False,
                                        widget=forms.Textarea(attrs={"rows": 12}))
    # One message to all interviewers: the organizer chooses its language (default: their own). The view
    # (views.schedule_invite) reads it before the form, since the prefilled text and the preview depend on it.
    interviewers_language = forms.ChoiceField(
        label=gettext_lazy("Language of this email"), choices=settings.LANGUAGES, required=False,
        help_text=gettext_lazy("Changing it replaces the text below with the template in that language, unless you "
                               "have edited the text: your edits stay as they are."))
    confirm_past = forms.BooleanField(required=False, label=gettext_lazy("Yes, this already happened: record it"))

    def __init__(self, *args, plan: Plan, calendar_label: str | None, sending: bool = False,
                 senders: list[CalendarConnection] = (), default_sender: CalendarConnection | None = None,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.calendar_label, self.sending = plan, calendar_label, sending
        self.in_past = plan.start < timezone.now()
        if not self.in_past:
            del self.fields["confirm_past"]
        calendar_channel_labels(self, calendar_label, list(senders), default_sender)

    def sender(self, organizer: Membership) -> CalendarConnection | None:
        """The connection chosen to send from; None for the organizer's calendar for invitations."""
        if "send_from" not in self.fields:
            return None
        return chosen_connection(organizer, self.cleaned_data.get("send_from"))

    def clean(self) -> dict:
        data = super().clean()
        audiences = (("candidate", self.plan.invite_candidate), ("interviewers", bool(self.plan.interviewers)))
        for audience, invited in audiences:
            if not invited:
                continue
            if not (data.get(f"{audience}_email") or data.get(f"{audience}_calendar")):
                self.add_error(f"{audience}_email", CHOOSE_CHANNEL)
            if data.get(f"{audience}_email"):
                for part in ("subject", "body"):
                    value = data.get(f"{audience}_{part}", "")
                    if not value.strip():
                        self.add_error(f"{audience}_{part}", _("This field is required."))
                    unknown = unknown_in(Wording(value, ""))
                    if unknown:
                        self.add_error(f"{audience}_{part}",
                                       UNKNOWN_PLACEHOLDER % {"error": UnknownPlaceholder(unknown)})
                self._check_rendered_size(audience, data)
        if self.in_past and self.sending and not data.get("confirm_past"):
            self.add_error("confirm_past", _("This time is in the past. Tick the box if you are recording an event "
                                             "that already happened; nobody is invited to the past by mistake then."))
        return data

    def _check_rendered_size(self, audience: str, data: dict) -> None:
        """The message with this event's values must stay readable (and the preview small)."""
        if self.errors.get(f"{audience}_subject") or self.errors.get(f"{audience}_body"):
            return
        wording = Wording(data.get(f"{audience}_subject", ""), data.get(f"{audience}_body", ""))
        values = emails.recipient_values(self.plan, audience)
        try:
            emails.render(Wording("", wording.body), values)
        except RenderedTooLong as error:
            self.add_error(f"{audience}_body", str(error))
        try:
            subject = emails.render(Wording(wording.subject, ""), values).subject
        except RenderedTooLong as error:
            self.add_error(f"{audience}_subject", str(error))
            return
        limit = self.fields[f"{audience}_subject"].max_length
        if len(subject) > limit:
            self.add_error(f"{audience}_subject", subject_too_long(len(subject), limit))

    def wording(self, audience: str) -> Wording:
        return Wording(self.cleaned_data.get(f"{audience}_subject", ""), self.cleaned_data.get(f"{audience}_body", ""))

