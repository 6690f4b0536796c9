from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("12387 intake: reports received by telephone, e-mail, fax and WeChat")
