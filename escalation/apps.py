from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.refcache import watch


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Clocks and escalation")

    def ready(self):
        # Reference tables kept in memory are read again after every change (core/refcache.py).
        from .models import EscalationPolicy

        watch(EscalationPolicy)
