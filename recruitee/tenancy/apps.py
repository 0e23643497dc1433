from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "recruitee.tenancy"
    label = "tenancy"
    verbose_name = "Companies and teams"
