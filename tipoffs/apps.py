from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipoffsConfig(AppConfig):
    name = "tipoffs"
    verbose_name = _("Public tip-offs")
