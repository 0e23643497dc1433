from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecruitingConfig(AppConfig):
    name = "recruitee.recruiting"
    label = "recruiting"
    verbose_name = _("Recruiting")

    def ready(self) -> None:
        from . import sentences  # noqa: F401  (registers how its audit entries are said)
