from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "loket.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from loket.accounts.middleware import start_session_clock

        # The idle and absolute session clocks start at sign-in (accounts/middleware.py).
        user_logged_in.connect(start_session_clock, dispatch_uid="loket-session-clock")
