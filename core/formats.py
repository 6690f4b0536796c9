"""Values as people read them: Beijing time, labels instead of codes, sizes in words. Used by
models' __str__, the change logs (portal and admin) and the admin (issue 13, points 4–5)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

TEXT_PREVIEW = 160
EMPTY = "—"


def local_minute(moment: datetime | None) -> str:
    """An instant as Beijing time (the portal's TIME_ZONE) to the minute."""
    if moment is None:
        return EMPTY
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def local_second(moment: datetime | None) -> str:
    if moment is None:
        return EMPTY
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def duration(value: timedelta) -> str:
    """A timedelta as "1 天 2 小时 5 分钟" / "1 d 2 h 5 min" (rounded down to minutes)."""
    minutes = int(abs(value).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if minutes or not parts:
        parts.append(_("%(n)d min") % {"n": minutes})
    return " ".join(parts)


def file_size(size: int | None) -> str:
    """ "75 字节", "1.2 KB" (Django's filesizeformat, in the active language)."""
    return str(filesizeformat(size or 0)).replace("\xa0", " ")


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def pairs(items) -> str:
    """ "label：value；label：value" in Chinese, "label: value; label: value" in English."""
    colon, separator = ("：", "；") if _chinese() else (": ", "; ")
    return separator.join(f"{label}{colon}{value}" for label, value in items) or EMPTY


def number(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}"
    return str(value)


def preview(text: str) -> str:
    return text if len(text) <= TEXT_PREVIEW else text[: TEXT_PREVIEW - 1] + "…"


def display_value(field, value) -> str:
    """A model field's value in words: "—" for nothing, choice labels, Yes/No, Beijing time,
    related objects by name, mappings as "label：value" pairs, long text shortened."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, models.Model):
        return str(value)
    choices = getattr(field, "flatchoices", None) if field is not None else None
    if choices and not isinstance(value, (list, dict)):
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return local_minute(value) if timezone.is_aware(value) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, Decimal)):
        return number(value)
    if isinstance(value, dict):
        return pairs((key, display_value(None, item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return (
            "、".join(display_value(None, item) for item in value)
            if _chinese()
            else ", ".join(display_value(None, item) for item in value)
        )
    return preview(str(value))
