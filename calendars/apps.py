from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendar connections"

    def ready(self) -> None:
        # Importing registers the system checks, the signal receivers and how its audit entries are said.
        from . import checks, sentences, signals  # noqa: F401
