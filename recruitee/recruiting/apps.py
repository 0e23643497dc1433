from django.apps import AppConfig


class RecruitingConfig(AppConfig):
    name = "recruitee.recruiting"
    label = "recruiting"
    verbose_name = "Recruiting"
