from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from recruitee.client_address import client_address
from recruitee.emails import RenderedEmail, queue_system_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """allauth's email fields have no length limit; without one, allauth cuts a long address to the column."""
        email = super().clean_email(email)
        if len(email) > 254:
            raise forms.ValidationError(
                _("Ensure this value has at most %(limit)d characters (it has %(count)d).")
                % {"limit": 254, "count": len(email)}
            )
        return email

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (password reset, address confirmation) go out from a worker like every other email."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        rendered = RenderedEmail(subject=message.subject, text=message.body, html=html)
        queue_system_email(to=list(message.to), email=rendered)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: the same rule as the lockouts (recruitee/client_address.py)."""
        address = client_address(request)
        if not address:
            raise PermissionDenied(_("Unable to determine client IP address"))
        return address
