from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "annotate.accounts"
    label = "accounts"
    verbose_name = "Accounts and invites"
