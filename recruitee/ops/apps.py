from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "recruitee.ops"
    label = "ops"
    verbose_name = "Operations"
