from django.apps import AppConfig


class MailboxConfig(AppConfig):
    name = "mailbox"
    verbose_name = "Mailbox"

    def ready(self) -> None:
        # The core sends its system emails through whatever outbox is registered (recruitee/emails.py): ours.
        from recruitee.emails import outbox_register

        from . import sentences  # noqa: F401  (registers how its audit entries are said)
        from .services import system_message_send

        outbox_register(system_message_send)
