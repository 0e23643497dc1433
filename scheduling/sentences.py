"""How the audit entries of interviews, scheduling links, invite templates and reminders are said (registered in
SchedulingConfig.ready()).

An interview's entries are also its history: on its page they are said without naming it, followed by who did it
(`by`); the audit log names it first ("Interview with Dana: Rescheduled to …"). Times are told in the reader's
zone and language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from calendars.models import Provider
from calendars.sentences import connection_label
from recruitee.tenancy.audit_sentences import Said, Sentence, listed, moment_words, register_sentences

from .answers import answer_sentence
from .models import Audience, OnlineMeeting, Purpose, ReminderOffset
from .self_scheduling import BY_CANDIDATE


def _provider(code: str) -> str:
    return str(dict(Provider.choices).get(code, code))


def _meeting(code: str) -> str:
    return str(dict(OnlineMeeting.choices).get(code, code))


def _lost(lost: dict) -> str:
    """Why the interview's calendar could not tell people (the words of invitation_calendar.SendingCalendar)."""
    if lost["reconnect"]:
        return _("%(calendar)s needs to be reconnected") % {"calendar": lost["calendar"]}
    return _("%(calendar)s is no longer connected") % {"calendar": lost["calendar"]}


# --- interviews -------------------------------------------------------------------------------------------------

INTERVIEW = ("title", "candidate")


def _interview(said: Said) -> str:
    return _("%(title)s with %(candidate)s") % {"title": said.data["title"], "candidate": said.data["candidate"]}


def _by(said: Said) -> str | None:
    """Who acted when it was not simply a member: the candidate (through their link), or a calendar; None: the
    actor, or the system."""
    by, calendar = said.data.get("by"), said.data.get("by_calendar")
    if not by:
        return None
    if by == BY_CANDIDATE:
        return _("by the candidate")
    if calendar and said.actor:  # a member applied what was changed in the calendar
        return _("by %(who)s (from %(calendar)s)") % {"who": said.actor, "calendar": _provider(calendar)}
    if calendar:
        return _("by %(who)s") % {"who": _provider(calendar)}
    return _("by %(who)s") % {"who": by}  # as an older entry recorded it


def _interview_sentence(says, *, needs: tuple[str, ...] = (), by=_by) -> Sentence:
    return Sentence(says, needs=(*INTERVIEW, *needs), about=_interview, by=by)


def _channels(codes: list[str]) -> str:
    if set(codes) == {"email", "calendar"}:
        return pgettext("invited by", "email and calendar")
    if codes == ["calendar"]:
        return pgettext("invited by", "calendar")
    return pgettext("invited by", "email")


def rescheduled(said: Said) -> str:
    data = said.data
    parts = []
    if data["moved"]:
        when = moment_words(data["start"])
        if data["previous_start"] != data["start"]:
            parts.append(_("rescheduled from %(before)s to %(when)s") % {
                "when": when, "before": moment_words(data["previous_start"], zone=False)})
        else:
            parts.append(_("rescheduled to %(when)s") % {"when": when})
    if data["added_names"] or data["removed_names"]:
        who = [f"+ {name}" for name in data["added_names"]] + [f"− {name}" for name in data["removed_names"]]
        parts.append(_("interviewers %(changes)s") % {"changes": listed(who)})
    for role, channels in data["invited_now"].items():
        words = {"channels": _channels(channels)}
        parts.append(_("the candidate now invited by %(channels)s") % words if role == "candidate"
                     else _("interviewers now invited by %(channels)s") % words)
    if data["calendar_lost"]:
        parts.append(_("%(reason)s: the people it invited were told by email") % {
            "reason": _lost(data["calendar_lost"])})
    return capfirst("; ".join(parts)) if parts else _("Details edited")


def cancelled(said: Said) -> str:
    data = said.data
    text = _("Cancelled: “%(reason)s”") % {"reason": data["reason"]} if data["reason"] else \
        pgettext("an interview", "Cancelled")
    if data["note"]:
        text = _("%(cancelled)s; note to the candidate: “%(note)s”") % {"cancelled": text, "note": data["note"]}
    if data["calendar_lost"]:
        text = _("%(cancelled)s; %(reason)s: the people it invited were told by email") % {
            "cancelled": text, "reason": _lost(data["calendar_lost"])}
    return text


def meeting(said: Said) -> str:
    words = {"meeting": _meeting(said.data["meeting"])}
    retried = said.data.get("retried")
    if said.data["created"] and retried:
        return _("%(meeting)s link created on retry; the people invited by email were sent an update") % words
    if said.data["created"]:
        return _("%(meeting)s link created") % words
    if retried:
        return _("The %(meeting)s link could not be created on retry") % words
    return _("The %(meeting)s link could not be created") % words


def meeting_retry(said: Said) -> str:
    words = {"calendar": _provider(said.data["provider"]), "meeting": _meeting(said.data["meeting"])}
    if said.data["calendar"]:
        return _("Retried the %(calendar)s invitation and the %(meeting)s link") % words
    return _("Retried the %(meeting)s link") % words


def calendar_change(change: dict, calendar: str) -> str:
    """What the calendar said that the interview did not (outside_changes.outside_change_summary), from the change
    as stored."""
    if change.get("deleted"):
        return _("Deleted in %(calendar)s") % {"calendar": calendar}
    parts = []
    if change.get("moved"):
        parts.append(_("Moved in %(calendar)s to %(when)s") % {"calendar": calendar,
                                                               "when": moment_words(change["start"])})
    if change.get("added_names"):
        parts.append(_("added %(names)s") % {"names": listed(change["added_names"])})
    if change.get("removed_names"):
        parts.append(_("removed %(names)s") % {"names": listed(change["removed_names"])})
    if parts and not change.get("moved"):
        parts[0] = _("People changed in %(calendar)s: %(change)s") % {"calendar": calendar, "change": parts[0]}
    return capfirst("; ".join(parts))


# --- scheduling links -------------------------------------------------------------------------------------------


def _link(said: Said) -> str:
    return _("Scheduling link “%(title)s” for %(candidate)s") % {"title": said.data["title"],
                                                                 "candidate": said.data["candidate"]}


def _link_sentence(says, *, needs: tuple[str, ...] = ()) -> Sentence:
    return Sentence(says, needs=(*INTERVIEW, *needs), about=_link)


def booked(said: Said) -> str:
    text = _("booked by the candidate for %(when)s") % {"when": moment_words(said.data["start"])}
    if said.data["calendar_lost"]:
        text = _("%(booked)s; %(reason)s, so everyone was invited by email") % {
            "booked": text, "reason": _lost(said.data["calendar_lost"])}
    return text


# --- invite templates and reminders -----------------------------------------------------------------------------

# Not the labels in small letters: German keeps its nouns capitalized.
_AUDIENCE_IN_SENTENCE = {
    Audience.CANDIDATE: pgettext_lazy("an invite template's audience in a sentence", "candidate"),
    Audience.INTERVIEWERS: pgettext_lazy("an invite template's audience in a sentence", "interviewers"),
}
_PURPOSE_IN_SENTENCE = {
    Purpose.INVITATION: pgettext_lazy("an invite template's purpose in a sentence", "invitation"),
    Purpose.UPDATE: pgettext_lazy("an invite template's purpose in a sentence", "update"),
    Purpose.CANCELLATION: pgettext_lazy("an invite template's purpose in a sentence", "cancellation"),
    Purpose.SCHEDULING_LINK: pgettext_lazy("an invite template's purpose in a sentence", "scheduling link"),
    Purpose.REMINDER: pgettext_lazy("an invite template's purpose in a sentence", "reminder"),
}


def _template(said: Said) -> str:
    data = said.data
    # The language by its own name, as the template settings list it.
    return _("%(audience)s %(purpose)s template (%(language)s)") % {
        "audience": _AUDIENCE_IN_SENTENCE[data["audience"]], "purpose": _PURPOSE_IN_SENTENCE[data["purpose"]],
        "language": dict(settings.LANGUAGES)[data["language"]]}


def template_saved(said: Said) -> str:
    words = {"actor": said.actor, "template": _template(said)}
    return _("%(actor)s customized the %(template)s") % words if said.data["created"] else \
        _("%(actor)s edited the %(template)s") % words


def _offsets(offsets: list[int]) -> str:
    if not offsets:
        return pgettext("reminders", "off")
    return listed(ReminderOffset(offset).label for offset in sorted(offsets, reverse=True))


register_sentences({
    "interview.scheduled": _interview_sentence(
        lambda said: _("Scheduled for %(when)s") % {"when": moment_words(said.data["start"])}, needs=("start",)),
    "interview.rescheduled": _interview_sentence(rescheduled, needs=(
        "moved", "start", "previous_start", "added_names", "removed_names", "invited_now", "calendar_lost")),
    "interview.edited": _interview_sentence(rescheduled, needs=(
        "moved", "start", "previous_start", "added_names", "removed_names", "invited_now", "calendar_lost")),
    "interview.cancelled": _interview_sentence(cancelled, needs=("reason", "note", "calendar_lost")),
    "interview.calendar_retry": _interview_sentence(
        lambda said: _("Retried the %(calendar)s invitation") % {"calendar": _provider(said.data["provider"])},
        needs=("provider",)),
    "interview.meeting_retry": _interview_sentence(meeting_retry, needs=("calendar", "provider", "meeting")),
    "interview.meeting": _interview_sentence(meeting, needs=("meeting", "created")),
    # "Dana accepted" names who answered: no "by" after it.
    "interview.answered": _interview_sentence(
        lambda said: answer_sentence(said.data["name"], said.data["response"]), needs=("name", "response"),
        by=lambda said: ""),
    "interview.outside_change": _interview_sentence(
        lambda said: calendar_change(said.data["change"], _provider(said.data["by_calendar"])),
        needs=("change", "by_calendar")),
    "interview.outside_change_restored": _interview_sentence(
        lambda said: _("Restored ours in %(calendar)s (%(change)s)") % {
            "calendar": _provider(said.data["provider"]),
            "change": calendar_change(said.data["change"], _provider(said.data["provider"]))},
        needs=("provider", "change")),
    "interview.calendar_recreated": _interview_sentence(
        lambda said: _("Recreated the event in %(calendar)s") % {"calendar": _provider(said.data["provider"])},
        needs=("provider",)),
    "scheduling_link.sent": _link_sentence(
        lambda said: _("link sent to %(email)s") % {"email": said.data["email"]}, needs=("email",)),
    "scheduling_link.resent": _link_sentence(
        lambda said: _("link sent again to %(email)s; the old link no longer works") % {"email": said.data["email"]},
        needs=("email",)),
    "scheduling_link.withdrawn": _link_sentence(lambda said: pgettext("a scheduling link", "withdrawn")),
    "scheduling_link.opened": _link_sentence(lambda said: _("opened by the candidate")),
    "scheduling_link.booked": _link_sentence(booked, needs=("start", "calendar_lost")),
    "scheduling_link.rescheduled": _link_sentence(
        lambda said: _("moved by the candidate from %(before)s to %(when)s") % {
            "before": moment_words(said.data["previous_start"], zone=False),
            "when": moment_words(said.data["start"])},
        needs=("previous_start", "start")),
    "scheduling_link.cancelled": _link_sentence(
        lambda said: _("cancelled by the candidate: “%(reason)s”") % {"reason": said.data["reason"]}
        if said.data["reason"] else _("cancelled by the candidate"), needs=("reason",)),
    "template.saved": Sentence(template_saved, needs=("audience", "purpose", "language", "created"),
                               needs_actor=True),
    "template.reset": Sentence(
        lambda said: _("%(actor)s reset the %(template)s to the default wording") % {
            "actor": said.actor, "template": _template(said)},
        needs=("audience", "purpose", "language"), needs_actor=True),
    "calendar.invitations_from": Sentence(
        lambda said: _("%(member)s sends invitations from %(calendar)s") % {
            "member": said.data["member"], "calendar": connection_label(said.data)},
        needs=("member", "provider", "account")),
    "reminders.saved": Sentence(
        lambda said: _("%(actor)s set interview reminders: candidates %(candidates)s; interviewers "
                       "%(interviewers)s") % {"actor": said.actor,
                                              "candidates": _offsets(said.data["candidate_offsets"]),
                                              "interviewers": _offsets(said.data["interviewer_offsets"])},
        needs=("candidate_offsets", "interviewer_offsets"), needs_actor=True),
})
