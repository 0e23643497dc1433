from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = "Interview scheduling"

    def ready(self) -> None:
        # Importing registers: what removing a member means for interviews; answers and outside changes from the
        # calendar sync; how its audit entries are said.
        from . import answers, removal, sentences  # noqa: F401
