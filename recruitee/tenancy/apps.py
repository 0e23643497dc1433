from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenancyConfig(AppConfig):
    name = "recruitee.tenancy"
    label = "tenancy"
    verbose_name = _("Companies and teams")

    def ready(self) -> None:
        from . import sentences  # noqa: F401  (registers how its audit entries are said)
