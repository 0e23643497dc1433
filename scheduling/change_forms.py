"""The emails of a reschedule and a cancellation, edited for one event: who is told and how, and the text.

The text starts as the company's template (update or cancellation, per audience) and is only this event's: saving
it never changes the template.
"""

from __future__ import annotations

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recruitee.validators import validate_no_line_breaks

from . import emails
from .emails import Wording
from .models import Audience, Interview, Participant, Purpose
from .placeholders import RenderedTooLong, UnknownPlaceholder
from .plan import Plan
from .services import Channels

AUDIENCES = (Audience.CANDIDATE, Audience.INTERVIEWERS)
ROLE = {Audience.CANDIDATE: Participant.Role.CANDIDATE, Audience.INTERVIEWERS: Participant.Role.INTERVIEWER}


def current_channels(interview: Interview, audience: str) -> Channels:
    """How the audience is invited now (an audience invited two ways at once counts as both)."""
    people = [p for p in interview.participants.all() if p.role == ROLE[audience]]
    return Channels(email=any(p.by_email for p in people), calendar=any(p.by_calendar for p in people))


def wording_initial(interview: Interview, purpose: str) -> dict[str, str]:
    plan = Plan.of(interview)  # each audience's template in the language its message is written in
    wordings = {audience: emails.company_wording(interview.company, audience, purpose,
                                                 emails.recipient_language(plan, audience))
                for audience in AUDIENCES}
    return {f"{audience}_{part}": getattr(wordings[audience], part)
            for audience in AUDIENCES for part in ("subject", "body")}


def check_wording(form: forms.Form, audience: str, plan: Plan) -> None:
    """The audience's subject and message: present, only known placeholders, and readable with this event's
    values (a template that repeats {note} thousands of times is refused, not sent)."""
    data = form.cleaned_data
    for part in ("subject", "body"):
        value = data.get(f"{audience}_{part}", "")
        if not value.strip():
            form.add_error(f"{audience}_{part}", _("This field is required."))
            continue
        unknown = emails.unknown_in(Wording(value, ""))
        if unknown:
            form.add_error(f"{audience}_{part}",
                           _("%(problem)s. Use one from the list, or write {{ and }} for literal braces.")
                           % {"problem": UnknownPlaceholder(unknown)})
    if form.errors.get(f"{audience}_subject") or form.errors.get(f"{audience}_body"):
        return
    values = emails.recipient_values(plan, audience)
    try:
        subject = emails.render(Wording(data[f"{audience}_subject"], data[f"{audience}_body"]), values).subject
    except RenderedTooLong as error:
        form.add_error(f"{audience}_body", str(error))
        return
    limit = form.fields[f"{audience}_subject"].max_length
    if len(subject) > limit:
        form.add_error(f"{audience}_subject",
                       _("With these values the subject would be %(length)s characters long; the limit is %(limit)d.")
                       % {"length": intcomma(len(subject)), "limit": limit})


def _wording_fields(rows: int) -> dict[str, forms.Field]:
    return {
        f"{audience}_{part}": (
            forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False,
                            validators=[validate_no_line_breaks])
            if part == "subject" else
            forms.CharField(label=gettext_lazy("Message"), max_length=20000, required=False,
                            widget=forms.Textarea(attrs={"rows": rows}))
        )
        for audience in AUDIENCES for part in ("subject", "body")
    }


def _shown(data, prefix: str) -> set[str]:
    """The audiences whose part the page showed: each part posts a marker, so a part that was not on the page
    (another client, or an audience that only now has people) is not read as "all boxes unticked"."""
    return {audience for audience in AUDIENCES if data is not None and f"{prefix}_{audience}" in data}


class RescheduleEmailsForm(forms.Form):
    """Step 2 of the wizard for a reschedule: how each audience is invited from now on, and the update emails.

    An audience whose part was not posted is left as it is: invited as before, told in the company's words."""

    candidate_email = forms.BooleanField(required=False, label=gettext_lazy("Email"))
    candidate_calendar = forms.BooleanField(required=False, label=gettext_lazy("Calendar"))
    interviewers_email = forms.BooleanField(required=False, label=gettext_lazy("Email"))
    interviewers_calendar = forms.BooleanField(required=False, label=gettext_lazy("Calendar"))

    def __init__(self, *args, interview: Interview, plan: Plan, calendar_label: str | None, calendar_lost: str = "",
                 **kwargs) -> None:
        initial = wording_initial(interview, Purpose.UPDATE)
        for audience in AUDIENCES:
            channels = current_channels(interview, audience)
            # An audience nobody is in yet (the first interviewers) starts as the wizard does: by email.
            initial[f"{audience}_email"] = channels.email or not channels.any
            initial[f"{audience}_calendar"] = channels.calendar
            if calendar_lost and channels.calendar:
                # The calendar that invited them is gone: our email tells them (services.interview_reschedule).
                initial[f"{audience}_email"], initial[f"{audience}_calendar"] = True, False
        super().__init__(*args, initial=initial, **kwargs)
        self.fields.update(_wording_fields(rows=12))
        self.plan = plan
        self.shown = _shown(self.data if self.is_bound else None, "emails")
        if self.is_bound and self.shown != set(AUDIENCES):
            # A part that was not on the page shows its starting values when it appears.
            self.data = self.data.copy()
            for audience in set(AUDIENCES) - self.shown:
                for name in (f"{audience}_email", f"{audience}_calendar"):
                    self.data.pop(name, None)
                    if initial[name]:
                        self.data[name] = "on"
                for part in ("subject", "body"):
                    self.data[f"{audience}_{part}"] = initial[f"{audience}_{part}"]
        for audience in AUDIENCES:
            field = self.fields[f"{audience}_calendar"]
            if calendar_label:
                field.label = _("Calendar (%(calendar)s)") % {"calendar": calendar_label}
            else:
                field.disabled = True
                field.label = (_("Calendar (%(calendar)s)") % {"calendar": calendar_lost} if calendar_lost
                               else _("Calendar (the organizer has no connected calendar)"))

    def clean(self) -> dict:
        data = super().clean()
        for audience in self.shown:
            if not (data.get(f"{audience}_email") or data.get(f"{audience}_calendar")):
                self.add_error(f"{audience}_email", _("Choose email, calendar or both."))
            elif data.get(f"{audience}_email"):
                check_wording(self, audience, self.plan)
        return data

    def channels(self, audience: str) -> Channels | None:
        """How the audience is invited from now on; None for "as they are" (not shown, or the boxes as they
        were: an audience invited two ways by different people stays so)."""
        if audience not in self.shown:
            return None
        chosen = (bool(self.cleaned_data.get(f"{audience}_email")),
                  bool(self.cleaned_data.get(f"{audience}_calendar")))
        if chosen == (self.initial[f"{audience}_email"], self.initial[f"{audience}_calendar"]):
            return None
        return Channels(email=chosen[0], calendar=chosen[1])

    def edited_wording(self, audience: str) -> Wording | None:
        """The update email as edited here; None for "the company's" (not shown, or not sent by email)."""
        if audience not in self.shown or not self.cleaned_data.get(f"{audience}_email"):
            return None
        return Wording(self.cleaned_data.get(f"{audience}_subject", ""),
                       self.cleaned_data.get(f"{audience}_body", ""))

    def by_email(self, audience: str) -> bool:
        return bool(self[f"{audience}_email"].value())

    def by_calendar(self, audience: str) -> bool:
        return bool(self[f"{audience}_calendar"].value())


REASON_OTHER = "other"
# The value is what the interview keeps and the emails say (in English, as recorded); the label what the form shows.
CANCEL_REASONS = [
    ("", gettext_lazy("No reason given")),
    ("Scheduling conflict", gettext_lazy("Scheduling conflict")),
    ("An interviewer is unavailable", gettext_lazy("An interviewer is unavailable")),
    ("The candidate asked to cancel", gettext_lazy("The candidate asked to cancel")),
    ("The position has been filled", gettext_lazy("The position has been filled")),
    ("The position is on hold", gettext_lazy("The position is on hold")),
    (REASON_OTHER, gettext_lazy("Other (write it below)")),
]


class CancelForm(forms.Form):
    """Why (optional), a note to the candidate (optional), and the cancellation emails of the audiences we
    emailed. A post without the emails uses the company's templates."""

    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=CANCEL_REASONS, required=False)
    reason_other = forms.CharField(label=gettext_lazy("Reason in your words"), max_length=300, required=False,
                                   validators=[validate_no_line_breaks],
                                   help_text=gettext_lazy("With “Other”, or instead of choosing one. The "
                                                          "interviewers’ email says it as {cancellation_reason}."))
    note_to_candidate = forms.CharField(label=gettext_lazy("Note to the candidate"), max_length=2000, required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        help_text=gettext_lazy("The candidate’s email says it as "
                                                               "{cancellation_note}."))
    candidate_subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False,
                                        validators=[validate_no_line_breaks])
    candidate_body = forms.CharField(label=gettext_lazy("Message"), max_length=20000, required=False,
                                     widget=forms.Textarea(attrs={"rows": 12}))
    interviewers_subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False,
                                           validators=[validate_no_line_breaks])
    interviewers_body = forms.CharField(label=gettext_lazy("Message"), max_length=20000, required=False,
                                        widget=forms.Textarea(attrs={"rows": 10}))

    def __init__(self, *args, interview: Interview, calendar_lost: bool = False, **kwargs) -> None:
        super().__init__(*args, initial=wording_initial(interview, Purpose.CANCELLATION), **kwargs)
        self.interview = interview
        # Only an audience we emailed gets our cancellation email; the provider tells those it invited, unless
        # that calendar is gone (then our email tells them too).
        self.emailed = [audience for audience in AUDIENCES if current_channels(interview, audience).email
                        or (calendar_lost and current_channels(interview, audience).calendar)]
        # Each editor on the page posts a marker; an audience without one keeps the company's wording.
        self.shown = _shown(self.data if self.is_bound else None, "emails") & set(self.emailed)

    def clean(self) -> dict:
        data = super().clean()
        choice, own = data.get("reason", ""), data.get("reason_other", "").strip()
        if choice == REASON_OTHER and not own and "reason_other" not in self.errors:
            self.add_error("reason_other", _("Write the reason, or choose one from the list."))
        data["reason_text"] = own if choice in ("", REASON_OTHER) else choice
        if own and choice not in ("", REASON_OTHER):
            self.add_error("reason_other", _("Choose “Other” to give a reason of your own, or clear this field."))
        plan = self.plan()
        for audience in self.shown:
            check_wording(self, audience, plan)
        return data

    def plan(self) -> Plan:
        """The interview as the cancellation emails describe it, with the reason and note as typed so far."""
        plan = Plan.of(self.interview)
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        if self.is_bound:
            choice = data.get("reason", self.data.get("reason", ""))
            choice = choice if choice in dict(CANCEL_REASONS) else ""
            own = " ".join(str(data.get("reason_other", self.data.get("reason_other", ""))).split())
            plan.cancellation_reason = own if choice in ("", REASON_OTHER) else choice
            plan.cancellation_note = str(data.get("note_to_candidate",
                                                  self.data.get("note_to_candidate", ""))).strip()
        return plan

    def edited_wording(self, audience: str) -> Wording | None:
        if audience not in self.shown:
            return None
        return Wording(self.cleaned_data.get(f"{audience}_subject", ""),
                       self.cleaned_data.get(f"{audience}_body", ""))
