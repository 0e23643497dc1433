from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "recruitee.accounts"
    label = "accounts"
    verbose_name = "Accounts"
