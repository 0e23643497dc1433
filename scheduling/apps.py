from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Interview scheduling"

    def ready(self) -> None:
        from . import removal  # noqa: F401  (registers what removing a member means for interviews)
