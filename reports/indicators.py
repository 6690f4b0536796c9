"""The grading indicators (one optional key per row of the grading guide, docs/RULES.md §4):
their types, bounds and choices, and one validator shared by the web form and the API."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from core.formats import EMPTY, number, pairs

from .constants import Severity

LEVEL_CHOICES = ("none", "significant", "major", "especially_major")

MAX_MINUTES = 366 * 24 * 60  # a year: longer outages are typing errors
MAX_PEOPLE = 2_000_000_000
MAX_COUNT = 1_000_000_000_000
MAX_YUAN = Decimal("10000000000000")  # 10 trillion yuan
MAX_REASON = 4000


@dataclass(frozen=True)
class Indicator:
    key: str
    kind: str  # "int", "decimal", "choice", "text"
    label: str
    choices: tuple[str, ...] = ()
    max_value: int | Decimal | None = None
    group: str = ""


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "portal_scope",
        "choice",
        _("Site scope (portal / news site)"),
        ("none", "major", "especially_major"),
        group="portal",
    ),
    Indicator(
        "portal_outage_minutes",
        "int",
        _("Portal or news site unreachable (minutes)"),
        max_value=MAX_MINUTES,
        group="portal",
    ),
    Indicator(
        "cii_total_outage_minutes",
        "int",
        _("CII whole operation interrupted (minutes)"),
        max_value=MAX_MINUTES,
        group="cii",
    ),
    Indicator(
        "cii_main_function_outage_minutes",
        "int",
        _("CII main functions interrupted (minutes)"),
        max_value=MAX_MINUTES,
        group="cii",
    ),
    Indicator(
        "population_scope",
        "choice",
        _("Population share measured over"),
        ("prefecture", "province"),
        group="population",
    ),
    Indicator(
        "population_share_percent",
        "decimal",
        _("Share of population affected (%)"),
        max_value=Decimal(100),
        group="population",
    ),
    Indicator(
        "people_affected",
        "int",
        _("People whose water, power, gas, transport, medical care… is affected"),
        max_value=MAX_PEOPLE,
        group="population",
    ),
    Indicator(
        "personal_info_leaked",
        "int",
        _("Citizens whose personal information leaked"),
        max_value=MAX_PEOPLE,
        group="data",
    ),
    Indicator(
        "data_leak",
        "choice",
        _("Core / important data leaked, stolen or tampered"),
        LEVEL_CHOICES,
        group="data",
    ),
    Indicator(
        "data_leak_reason",
        "text",
        _("Justification of the data-security grade"),
        max_value=MAX_REASON,
        group="data",
    ),
    Indicator(
        "defacement_scope", "choice", _("Defaced site scope"), LEVEL_CHOICES, group="defacement"
    ),
    Indicator(
        "defacement_homepage_minutes",
        "int",
        _("Illegal content on the home page (minutes)"),
        max_value=MAX_MINUTES,
        group="defacement",
    ),
    Indicator(
        "defacement_other_page_minutes",
        "int",
        _("Illegal content on another page (minutes)"),
        max_value=MAX_MINUTES,
        group="defacement",
    ),
    Indicator(
        "defacement_reposts",
        "int",
        _("Reposts on social platforms"),
        max_value=MAX_COUNT,
        group="defacement",
    ),
    Indicator(
        "defacement_views", "int", _("Views or clicks"), max_value=MAX_COUNT, group="defacement"
    ),
    Indicator(
        "spread_determined",
        "choice",
        _("Spread determined by a provincial-or-higher CAC or public security"),
        LEVEL_CHOICES,
        group="defacement",
    ),
    Indicator(
        "direct_loss_yuan",
        "decimal",
        _("Direct economic loss (yuan)"),
        max_value=MAX_YUAN,
        group="loss",
    ),
    Indicator(
        "catch_all",
        "choice",
        _("Threat to national security, social order, economy or public interest"),
        LEVEL_CHOICES,
        group="loss",
    ),
    Indicator(
        "catch_all_reason",
        "text",
        _("Justification of that threat"),
        max_value=MAX_REASON,
        group="loss",
    ),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}
JUSTIFIED = {"catch_all": "catch_all_reason", "data_leak": "data_leak_reason"}
# Indicators that count only for the sites (or regions) of a scope, and the key naming it
# (`reports.grading.SCOPE_KEYS` is this table).
SCOPED_BY = {
    "portal_outage_minutes": "portal_scope",
    "population_share_percent": "population_scope",
    "defacement_homepage_minutes": "defacement_scope",
    "defacement_other_page_minutes": "defacement_scope",
    "defacement_reposts": "defacement_scope",
    "defacement_views": "defacement_scope",
    "spread_determined": "defacement_scope",
}


def clean_indicators(data) -> tuple[dict, dict[str, list[str]]]:
    """Validate a mapping of indicators. Returns (cleaned, errors); errors maps a key to
    messages. Empty values are dropped. Numbers are returned as int or str(Decimal) so
    the result is JSON-safe."""
    if data in (None, ""):
        return {}, {}
    if not isinstance(data, dict):
        return {}, {"indicators": [str(_("Expected an object of grading indicators."))]}
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        spec = INDICATOR_BY_KEY.get(key)
        if spec is None:
            errors[key] = [str(_("Unknown grading indicator."))]
            continue
        if value is None or value == "":
            continue
        if spec.kind == "choice":
            if value not in spec.choices:
                errors[key] = [
                    str(_("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)})
                ]
            else:
                cleaned[key] = value
        elif spec.kind == "text":
            if not isinstance(value, str):
                errors[key] = [str(_("Expected text."))]
            elif len(value) > spec.max_value:
                errors[key] = [str(_("At most %(max)s characters.") % {"max": spec.max_value})]
            else:
                cleaned[key] = value.strip()
        else:
            if isinstance(value, bool):
                errors[key] = [str(_("Expected a number."))]
                continue
            try:
                number = Decimal(str(value))
            except (InvalidOperation, ValueError):
                errors[key] = [str(_("Expected a number."))]
                continue
            if not number.is_finite():
                errors[key] = [str(_("Expected a number."))]
            elif number < 0:
                errors[key] = [str(_("Cannot be negative."))]
            elif number > spec.max_value:
                errors[key] = [
                    str(_("Implausibly large: at most %(max)s.") % {"max": spec.max_value})
                ]
            elif spec.kind == "int":
                if number != number.to_integral_value():
                    errors[key] = [str(_("Expected a whole number."))]
                else:
                    cleaned[key] = int(number)
            else:
                cleaned[key] = str(number.normalize()) if number else "0"
    for key, scope_key in SCOPED_BY.items():
        # a scoped indicator counts only for the sites of its scope: given without one, it
        # would be silently ignored, so it is refused (docs/DECISIONS.md, "Grading")
        given = key in cleaned and cleaned[key] != "none"
        if given and scope_key not in cleaned and scope_key not in errors:
            errors[scope_key] = [
                str(
                    _(
                        "Say which list of sites this belongs to (or “none”): "
                        "%(indicator)s counts only for the sites of its scope."
                    )
                    % {"indicator": key}
                )
            ]
    for choice_key, reason_key in JUSTIFIED.items():
        if cleaned.get(choice_key, "none") != "none" and not cleaned.get(reason_key):
            errors.setdefault(reason_key, []).append(
                str(_("Give a justification for this qualitative criterion."))
            )
    return cleaned, errors


# Display labels of the grading guide's units.
UNIT_LABELS = {
    "minutes": _("minutes"),
    "percent": "%",
    "people": _("people"),
    "reposts": _("reposts"),
    "views": _("views"),
    "yuan": _("yuan"),
}


# Display labels for the values of the `choice` indicators.
INDICATOR_CHOICE_LABELS = {
    "none": _("None of these / not applicable"),
    "significant": _("Significant (较大)"),
    "major": _("Major (重大)"),
    "especially_major": _("Especially major (特别重大)"),
    "prefecture": _("Prefecture-level region(s)"),
    "province": _("Province-level region(s)"),
}
# Site scopes: "the highest level whose list of sites the site belongs to".
SCOPE_CHOICE_LABELS = {
    "none": _("Other site (not on these lists)"),
    "significant": _(
        "Any Party/government or enterprise/institution portal, key news site or platform"
    ),
    "major": _(
        "Prefecture-or-higher Party/government or enterprise/institution portal, "
        "provincial-or-higher key news site, large platform"
    ),
    "especially_major": _(
        "Provincial-or-higher Party/government portal, central key news site, super-large platform"
    ),
}
# The unreachable-site criterion lists portals and news sites only: platforms are in the
# defacement criterion's lists, not in this one (docs/DECISIONS.md, "Grading").
PORTAL_SCOPE_CHOICE_LABELS = {
    "none": _("Other site (not on these lists)"),
    "major": _(
        "Prefecture-or-higher Party/government or enterprise/institution portal, "
        "provincial-or-higher key news site"
    ),
    "especially_major": _("Provincial-or-higher Party/government portal, central key news site"),
}


def choice_labels(key: str) -> dict:
    """The labels of a `choice` indicator's values (site scopes have their own)."""
    if key == "portal_scope":
        return PORTAL_SCOPE_CHOICE_LABELS
    if key.endswith("_scope") and key != "population_scope":
        return SCOPE_CHOICE_LABELS
    return INDICATOR_CHOICE_LABELS


def indicator_value_label(key: str, value) -> str:
    """An indicator's value in words: a choice's label, a number with digit grouping."""
    spec = INDICATOR_BY_KEY.get(key)
    if value is None or value == "":
        return EMPTY
    if spec is not None and spec.kind == "choice":
        return str(choice_labels(key).get(value, value))
    if spec is not None and spec.kind in ("int", "decimal"):
        try:
            return number(int(value) if spec.kind == "int" else Decimal(str(value)))
        except (InvalidOperation, ValueError, TypeError):
            return str(value)
    return str(value)


def indicators_display(indicators) -> str:
    """A report's indicators as "label：value；…" (the change logs, the admin)."""
    if not isinstance(indicators, dict) or not indicators:
        return EMPTY
    return pairs(
        (
            str(INDICATOR_BY_KEY[key].label) if key in INDICATOR_BY_KEY else key,
            indicator_value_label(key, value),
        )
        for key, value in indicators.items()
    )


def criterion_text(criterion: dict) -> str:
    """A grading criterion in words: "重大：<indicator label> ≥ 1,000,000 人"."""
    indicator = criterion.get("indicator", "")
    spec = INDICATOR_BY_KEY.get(indicator)
    label = str(spec.label) if spec else indicator
    try:
        level = str(Severity(criterion.get("level", "")).label)
    except ValueError:
        level = criterion.get("level", "")
    unit, threshold = criterion.get("unit", ""), criterion.get("threshold", "")
    if unit == "choice":
        shown = indicator_value_label(indicator, threshold)
    else:
        try:
            shown = number(Decimal(str(threshold)))
        except InvalidOperation:
            shown = str(threshold)
        shown = f"≥ {shown} {UNIT_LABELS.get(unit, unit)}".strip()
    return pairs([(level, f"{label} {shown}")])


def criteria_display(criteria) -> str:
    if not criteria:
        return EMPTY
    return "\n".join(criterion_text(c) for c in criteria if isinstance(c, dict))
