"""The clocks' vocabulary (no ORM here: the pure rules read it too)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FILE = "file", _("Operator files the report")
    FORWARD = "forward", _("Receiving authority forwards to the national tier")
    SUMMARY = "summary", _("Summary report")
    INFO_REQUEST = "info_request", _("Information requested")


class Outcome(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    LATE = "late", _("Late")
    NOT_REQUIRED = "not_required", _("No longer required")
