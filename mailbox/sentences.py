"""How the mailbox's audit entries are said (registered in MailboxConfig.ready())."""

from datetime import timedelta

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recruitee.tenancy.audit_sentences import Said, Sentence, listed, register_sentences

from .limits import Limit


def _recipients(number: int) -> str:
    return ngettext("%(count)s recipient", "%(count)s recipients", number) % {"count": intcomma(number)}


def limit_reached(said: Said) -> str:
    data = said.data
    whose, period = data["limit"].split("_", 1)
    limit = Limit(whose, period, timedelta(minutes=data["window_minutes"]), data["allowed"])
    values = {"actor": said.actor, "recipients": _recipients(data["recipients"]), "used": intcomma(data["used"]),
              "allowance": _("%(recipients)s per %(span)s") % {"recipients": _recipients(limit.recipients),
                                                              "span": limit.span}}
    if whose == "member":
        return _("Sending limit reached: %(actor)s was refused an email to %(recipients)s (their limit of "
                 "%(allowance)s, %(used)s used)") % values
    return _("Sending limit reached: %(actor)s was refused an email to %(recipients)s (the company’s limit of "
             "%(allowance)s, %(used)s used)") % values


register_sentences({
    "mail.limit_reached": Sentence(limit_reached, needs=("limit", "allowed", "used", "recipients", "window_minutes"),
                                   needs_actor=True),
    "message.retried": Sentence(
        lambda said: _("%(actor)s retried the email “%(subject)s” to %(recipients)s") % {
            "actor": said.actor, "subject": said.data["subject"], "recipients": listed(said.data["recipients"])},
        needs=("subject", "recipients"), needs_actor=True),
})
