from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "recruitee.ui"
    label = "ui"
    verbose_name = "User interface helpers"
