"""How the audit entries of companies, teams and invitations are said (registered in TenancyConfig.ready())."""

from datetime import time

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from .audit_sentences import Said, Sentence, listed, register_sentences
from .models import Company, Role


def _limits(said: Said) -> str:
    per_day, per_week = said.data["max_interviews_per_day"], said.data["max_interviews_per_week"]
    return listed([_("%(count)d a day") % {"count": per_day} if per_day else _("no daily limit"),
                   _("%(count)d a week") % {"count": per_week} if per_week else _("no weekly limit")])


def _own(said: Said) -> bool:
    return said.entry.actor_id == said.data["user_id"]


def load_limits(said: Said) -> str:
    if _own(said):
        return _("%(actor)s set their interview limits: %(limits)s") % {"actor": said.actor, "limits": _limits(said)}
    return _("%(actor)s set %(member)s’s interview limits: %(limits)s") % {
        "actor": said.actor, "member": said.data["member"], "limits": _limits(said)}


def working_hours(said: Said) -> str:
    data = said.data
    values = {"actor": said.actor, "member": data["member"],
              "days": listed(WEEKDAYS_ABBR[int(day) - 1] for day in data["working_days"]),
              "start": time_format(time.fromisoformat(data["work_start"]), "TIME_FORMAT"),
              "end": time_format(time.fromisoformat(data["work_end"]), "TIME_FORMAT")}
    if _own(said):
        return _("%(actor)s set their working hours: %(days)s, %(start)s–%(end)s") % values
    return _("%(actor)s set %(member)s’s working hours: %(days)s, %(start)s–%(end)s") % values


def company_updated(said: Said) -> str:
    fields = [Company._meta.get_field(name).verbose_name for name in said.data["changed"]]
    return _("%(actor)s updated the company settings (%(fields)s)") % {"actor": said.actor, "fields": listed(fields)}


def role_changed(said: Said) -> str:
    return _("%(actor)s changed %(member)s from %(old)s to %(new)s") % {
        "actor": said.actor, "member": said.data["member"], "old": Role(said.data["previous_role"]).label,
        "new": Role(said.data["role"]).label}


register_sentences({
    "company.created": Sentence(
        lambda said: _("%(actor)s created %(company)s") % {"actor": said.actor, "company": said.data["company_name"]},
        needs=("company_name",), needs_actor=True),
    "company.updated": Sentence(company_updated, needs=("changed",), needs_actor=True),
    "membership.load_limits": Sentence(
        load_limits, needs=("member", "user_id", "max_interviews_per_day", "max_interviews_per_week"),
        needs_actor=True),
    "membership.working_hours": Sentence(
        working_hours, needs=("member", "user_id", "working_days", "work_start", "work_end"), needs_actor=True),
    "invitation.created": Sentence(
        lambda said: _("%(actor)s invited %(email)s as %(role)s") % {
            "actor": said.actor, "email": said.data["email"], "role": Role(said.data["role"]).label},
        needs=("email", "role"), needs_actor=True),
    "invitation.resent": Sentence(
        lambda said: _("%(actor)s resent the invitation for %(email)s") % {"actor": said.actor,
                                                                           "email": said.data["email"]},
        needs=("email",), needs_actor=True),
    "invitation.revoked": Sentence(
        lambda said: _("%(actor)s revoked the invitation for %(email)s") % {"actor": said.actor,
                                                                            "email": said.data["email"]},
        needs=("email",), needs_actor=True),
    "membership.joined": Sentence(
        lambda said: _("%(actor)s joined as %(role)s") % {"actor": said.actor, "role": Role(said.data["role"]).label},
        needs=("role",), needs_actor=True),
    "membership.role_changed": Sentence(role_changed, needs=("member", "previous_role", "role"), needs_actor=True),
    "membership.removed": Sentence(
        lambda said: _("%(actor)s removed %(member)s from the team") % {"actor": said.actor,
                                                                        "member": said.data["member"]},
        needs=("member",), needs_actor=True),
})
