from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.refcache import watch


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Incident reports")

    def ready(self):
        # Reference tables kept in memory are read again after every change (core/refcache.py).
        from .models import Category, GradingCriterion

        watch(Category, GradingCriterion)
