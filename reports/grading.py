"""PURE: the grading guide (docs/RULES.md §4) as a function of the indicators.

`suggest(indicators, criteria)` returns the highest level any criterion reaches and every
criterion met. The criteria are data (`GradingCriterion` rows, admin-editable); this module
imports no ORM and reads no clock."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from .constants import SEVERITY_RANK, Severity
from .indicators import SCOPED_BY

# Indicators whose criteria only apply to sites of a given scope, and the key naming it. A
# spread determination counts for the sites listed at its level, like the defacement
# criteria (docs/DECISIONS.md, "Grading").
SCOPE_KEYS = SCOPED_BY
POPULATION_SCOPE_RANK = {"prefecture": 1, "province": 2}


@dataclass(frozen=True)
class Criterion:
    indicator: str
    level: str
    threshold: str  # a number for quantities, a level name for `choice`
    unit: str
    scope: str = ""


@dataclass(frozen=True)
class Suggestion:
    level: str
    criteria_met: tuple[Criterion, ...]

    def as_list(self) -> list[dict]:
        return [
            {"indicator": c.indicator, "level": c.level, "threshold": c.threshold, "unit": c.unit}
            for c in self.criteria_met
        ]


def _scope_rank(scope_key: str, value: str | None) -> int:
    if not value or value == "none":
        return -1
    if scope_key == "population_scope":
        return POPULATION_SCOPE_RANK.get(value, -1)
    return SEVERITY_RANK.get(value, -1)


def _criterion_scope_rank(scope_key: str, scope: str) -> int:
    if scope_key == "population_scope":
        return POPULATION_SCOPE_RANK[scope]
    return SEVERITY_RANK[Severity(scope)]


def is_met(criterion: Criterion, indicators: Mapping) -> bool:
    value = indicators.get(criterion.indicator)
    if value is None or value == "":
        return False
    scope_key = SCOPE_KEYS.get(criterion.indicator)
    if scope_key and criterion.scope:
        site = _scope_rank(scope_key, indicators.get(scope_key))
        if site < _criterion_scope_rank(scope_key, criterion.scope):
            return False
    if criterion.unit == "choice":
        return SEVERITY_RANK.get(value, -1) >= SEVERITY_RANK[Severity(criterion.threshold)]
    return Decimal(str(value)) >= Decimal(criterion.threshold)


def suggest(indicators: Mapping, criteria: Iterable[Criterion]) -> Suggestion:
    met = [c for c in criteria if is_met(c, indicators)]
    met.sort(key=lambda c: (-SEVERITY_RANK[Severity(c.level)], c.indicator))
    level = met[0].level if met else Severity.GENERAL.value
    return Suggestion(level=str(level), criteria_met=tuple(met))
