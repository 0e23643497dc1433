from allauth.account.adapter import DefaultAccountAdapter
from django import forms

from recruitee.emails import RenderedEmail, queue_system_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """allauth's email fields have no length limit; without one, allauth cuts a long address to the column."""
        email = super().clean_email(email)
        if len(email) > 254:
            raise forms.ValidationError(f"Ensure this value has at most 254 characters (it has {len(email)}).")
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
