from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.refcache import watch


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and authorities")

    def ready(self):
        from . import signals  # noqa: F401  (authentication audit receivers)
        from .models import Authority

        # Routing keeps the authorities in memory (core/refcache.py).
        watch(Authority)
