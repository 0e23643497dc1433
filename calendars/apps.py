from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = "Calendar connections"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers the system checks and the signal receivers)
