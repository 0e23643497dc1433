from allauth.account.adapter import DefaultAccountAdapter

from recruitee.emails import RenderedEmail, queue_system_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (password reset, address confirmation) go out from a worker like every other email."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        rendered = RenderedEmail(subject=message.subject, text=message.body, html=html)
        queue_system_email(to=list(message.to), email=rendered)
