"""The grading guide (docs/RULES.md §4) at every boundary.

The pure tests load the criteria from `reports/data/grading_criteria.csv` (the same file the
data migration loads), so a corrected table changes the tests with it."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from reports.constants import SEVERITY_RANK, Severity
from reports.grading import SCOPE_KEYS, Criterion, is_met, suggest
from reports.indicators import INDICATOR_BY_KEY, JUSTIFIED, MAX_MINUTES, clean_indicators

CSV_PATH = Path(__file__).resolve().parents[2] / "reports" / "data" / "grading_criteria.csv"
LEVELS = ("significant", "major", "especially_major")  # ascending; "general" is below all


def _rows() -> list[dict]:
    with open(CSV_PATH, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = _rows()
CRITERIA = tuple(
    Criterion(r["indicator"], r["level"], r["threshold"], r["unit"], r["scope"]) for r in ROWS
)
NUMERIC = [c for c in CRITERIA if c.unit != "choice"]
CHOICE = [c for c in CRITERIA if c.unit == "choice"]
SCOPED = [c for c in CRITERIA if c.scope]


def _id(c: Criterion) -> str:
    return f"{c.indicator}-{c.level}"


def _rank(level: str) -> int:
    return SEVERITY_RANK[Severity(level)]


def _step(c: Criterion) -> Decimal:
    """The smallest step the indicator can take: whole units, or hundredths for decimals."""
    return Decimal(1) if INDICATOR_BY_KEY[c.indicator].kind == "int" else Decimal("0.01")


def _value(c: Criterion, number: Decimal):
    return int(number) if INDICATOR_BY_KEY[c.indicator].kind == "int" else str(number)


def _with_scope(c: Criterion, indicators: dict) -> dict:
    """Put the site in exactly the scope the criterion asks for (the narrowest that qualifies)."""
    scope_key = SCOPE_KEYS.get(c.indicator)
    if scope_key and c.scope:
        indicators[scope_key] = c.scope
    return indicators


def _far_above(c: Criterion):
    """A value well past the criterion (the highest level for a choice)."""
    if c.unit == "choice":
        return "especially_major"
    return _value(c, Decimal(c.threshold) * 10)


def _lower_level(level: str) -> str:
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index else "none"


def test_the_table_has_every_indicator_at_every_level():
    assert len(CRITERIA) == 42
    by_indicator: dict[str, set[str]] = {}
    for c in CRITERIA:
        by_indicator.setdefault(c.indicator, set()).add(c.level)
    assert all(levels == set(LEVELS) for levels in by_indicator.values()), by_indicator
    assert set(by_indicator) <= set(INDICATOR_BY_KEY)


# -- every threshold, inclusive (≥) -------------------------------------------------------


@pytest.mark.parametrize("criterion", NUMERIC, ids=_id)
def test_value_exactly_at_the_threshold_meets_the_level(criterion):
    # given
    indicators = _with_scope(
        criterion, {criterion.indicator: _value(criterion, Decimal(criterion.threshold))}
    )
    # when
    result = suggest(indicators, CRITERIA)
    # then
    assert is_met(criterion, indicators)
    assert criterion in result.criteria_met
    assert result.level == criterion.level


@pytest.mark.parametrize("criterion", NUMERIC, ids=_id)
def test_value_just_below_the_threshold_does_not_meet_the_level(criterion):
    # given
    below = Decimal(criterion.threshold) - _step(criterion)
    indicators = _with_scope(criterion, {criterion.indicator: _value(criterion, below)})
    # when
    result = suggest(indicators, CRITERIA)
    # then
    assert not is_met(criterion, indicators)
    assert criterion not in result.criteria_met
    assert _rank(result.level) < _rank(criterion.level)


@pytest.mark.parametrize("criterion", CHOICE, ids=_id)
def test_choice_at_its_level_meets_it(criterion):
    indicators = _with_scope(criterion, {criterion.indicator: criterion.level})
    result = suggest(indicators, CRITERIA)
    assert criterion in result.criteria_met
    assert result.level == criterion.level


@pytest.mark.parametrize("criterion", CHOICE, ids=_id)
def test_choice_one_level_below_does_not_meet_it(criterion):
    indicators = _with_scope(criterion, {criterion.indicator: _lower_level(criterion.level)})
    result = suggest(indicators, CRITERIA)
    assert criterion not in result.criteria_met
    assert _rank(result.level) < _rank(criterion.level)


@pytest.mark.parametrize("criterion", CHOICE, ids=_id)
def test_choice_above_its_level_meets_it_too(criterion):
    for higher in LEVELS[LEVELS.index(criterion.level) :]:
        assert is_met(criterion, _with_scope(criterion, {criterion.indicator: higher}))
    assert not is_met(criterion, _with_scope(criterion, {criterion.indicator: "none"}))


# -- scope -------------------------------------------------------------------------------


@pytest.mark.parametrize("criterion", SCOPED, ids=_id)
def test_a_site_below_the_criterions_scope_does_not_qualify(criterion):
    scope_key = SCOPE_KEYS[criterion.indicator]
    far_above = _far_above(criterion)
    if scope_key == "population_scope":
        narrower = {"province": "prefecture", "prefecture": None}[criterion.scope]
        far_above = _value(criterion, Decimal(100))
    else:
        narrower = _lower_level(criterion.scope)
    indicators = {criterion.indicator: far_above}
    if narrower:
        indicators[scope_key] = narrower
    assert not is_met(criterion, indicators)


@pytest.mark.parametrize("criterion", SCOPED, ids=_id)
def test_a_site_of_scope_none_or_unknown_never_meets_a_scoped_criterion(criterion):
    scope_key = SCOPE_KEYS[criterion.indicator]
    value = _far_above(criterion)
    assert not is_met(criterion, {criterion.indicator: value, scope_key: "none"})
    assert not is_met(criterion, {criterion.indicator: value})


def test_the_spread_determination_is_scoped_like_the_defacement_criteria():
    assert SCOPE_KEYS["spread_determined"] == "defacement_scope"
    assert {c.scope for c in CRITERIA if c.indicator == "spread_determined"} == set(LEVELS)


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (None, "general"),
        ("none", "general"),
        ("significant", "significant"),
        ("major", "major"),
        ("especially_major", "especially_major"),
    ],
)
def test_a_spread_determination_counts_only_for_the_sites_listed_at_its_level(scope, expected):
    """Issue 11, item 3: a 特别重大 spread determination on a site of no list cannot lift the
    level; on a site of the 重大 list it counts as 重大."""
    indicators = {"spread_determined": "especially_major"}
    if scope:
        indicators["defacement_scope"] = scope
    result = suggest(indicators, CRITERIA)
    assert result.level == expected
    assert all(c.indicator == "spread_determined" for c in result.criteria_met)


def test_a_site_of_scope_none_with_every_defacement_criterion_at_its_top_stays_general():
    indicators = {
        "defacement_scope": "none",
        "defacement_homepage_minutes": MAX_MINUTES,
        "defacement_reposts": 10**9,
        "spread_determined": "especially_major",
    }
    assert suggest(indicators, CRITERIA).level == "general"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_unreachable_site_scopes_name_no_platform_and_the_defacement_scopes_do(language):
    """Issue 11, item 4: platforms are in the defacement criterion's lists, not in the
    unreachable-site one."""
    from reports.forms import ReportForm, indicator_field_name

    with translation.override(language):
        form = ReportForm()
        portal = [
            str(label) for _v, label in form.fields[indicator_field_name("portal_scope")].choices
        ]
        defaced = [
            str(label)
            for _v, label in form.fields[indicator_field_name("defacement_scope")].choices
        ]
    word = "platform" if language == "en" else "平台"
    assert len(portal) == 4  # "—", none, major, especially major
    assert not any(word in label for label in portal), portal
    assert sum(word in label for label in defaced) == 3, defaced
    if language == "zh-hans":
        assert "省级以上党政机关门户网站，中央重点新闻网站" in portal


def test_prefecture_portal_defaced_on_home_page_3h_is_major_not_especially_major():
    result = suggest({"defacement_scope": "major", "defacement_homepage_minutes": 180}, CRITERIA)
    assert result.level == "major"
    met = {(c.indicator, c.level) for c in result.criteria_met}
    assert met == {
        ("defacement_homepage_minutes", "major"),
        ("defacement_homepage_minutes", "significant"),
    }


def test_same_defacement_on_a_provincial_portal_is_especially_major_after_6h():
    indicators = {"defacement_scope": "especially_major", "defacement_homepage_minutes": 360}
    assert suggest(indicators, CRITERIA).level == "especially_major"


def test_a_site_of_scope_none_with_long_outages_stays_general():
    indicators = {
        "portal_scope": "none",
        "portal_outage_minutes": MAX_MINUTES,
        "defacement_scope": "none",
        "defacement_homepage_minutes": MAX_MINUTES,
        "defacement_other_page_minutes": MAX_MINUTES,
        "defacement_reposts": 10**9,
        "defacement_views": 10**9,
    }
    result = suggest(indicators, CRITERIA)
    assert result.level == "general"
    assert result.criteria_met == ()


@pytest.mark.parametrize(
    ("scope", "share", "expected"),
    [
        ("province", "50", "especially_major"),
        ("province", "100", "especially_major"),
        ("province", "49.99", "significant"),  # a province is also ≥ 30 % of its prefectures
        ("prefecture", "50", "major"),
        ("prefecture", "100", "major"),
        ("prefecture", "49.99", "significant"),
        ("prefecture", "30", "significant"),
        ("prefecture", "29.99", "general"),
        ("province", "29.99", "general"),
        (None, "100", "general"),
    ],
)
def test_population_share_by_scope(scope, share, expected):
    indicators = {"population_share_percent": share}
    if scope:
        indicators["population_scope"] = scope
    assert suggest(indicators, CRITERIA).level == expected


def test_portal_outage_significant_needs_the_major_scope():
    """The guide's 较大 row for portals has the same site list as 重大."""
    assert suggest({"portal_scope": "major", "portal_outage_minutes": 120}, CRITERIA).level == (
        "significant"
    )
    assert suggest({"portal_scope": "none", "portal_outage_minutes": 120}, CRITERIA).level == (
        "general"
    )


# -- several criteria ----------------------------------------------------------------------


def test_the_highest_level_wins_and_every_met_criterion_is_listed():
    # given
    indicators = {
        "cii_total_outage_minutes": 60,  # major
        "people_affected": 100_000,  # significant
        "direct_loss_yuan": "100000000",  # especially major
        "catch_all": "significant",
        "catch_all_reason": "x",
    }
    # when
    result = suggest(indicators, CRITERIA)
    # then
    assert result.level == "especially_major"
    assert {(c.indicator, c.level) for c in result.criteria_met} == {
        ("direct_loss_yuan", "especially_major"),
        ("direct_loss_yuan", "major"),
        ("direct_loss_yuan", "significant"),
        ("cii_total_outage_minutes", "major"),
        ("cii_total_outage_minutes", "significant"),
        ("people_affected", "significant"),
        ("catch_all", "significant"),
    }
    # highest level first
    assert [c.level for c in result.criteria_met][0] == "especially_major"
    levels = [_rank(c.level) for c in result.criteria_met]
    assert levels == sorted(levels, reverse=True)
    assert {"indicator", "level", "threshold", "unit"} == set(result.as_list()[0])


@pytest.mark.parametrize("indicators", [{}, {"catch_all": "none"}, {"people_affected": None}])
def test_no_indicators_is_general(indicators):
    result = suggest(indicators, CRITERIA)
    assert result.level == "general"
    assert result.criteria_met == ()
    assert result.as_list() == []


def test_a_criterion_set_of_nothing_suggests_general():
    assert suggest({"people_affected": 10**9}, []).level == "general"


# -- the table in the database -------------------------------------------------------------


@pytest.mark.django_db
def test_the_migrated_table_equals_the_csv():
    from reports.models import GradingCriterion

    rows = {
        (c.indicator, c.level): (c.threshold, c.unit, c.scope)
        for c in GradingCriterion.objects.all()
    }
    assert len(rows) == 42 == GradingCriterion.objects.count()
    assert rows == {
        (r["indicator"], r["level"]): (r["threshold"], r["unit"], r["scope"]) for r in ROWS
    }


@pytest.mark.django_db
def test_editing_a_criterion_in_the_database_changes_the_suggestion():
    from reports.models import GradingCriterion
    from reports.selectors import grading_criteria

    indicators = {"people_affected": 150_000}
    assert suggest(indicators, grading_criteria()).level == "significant"
    # when the admin corrects the 较大 threshold upwards
    row = GradingCriterion.objects.get(indicator="people_affected", level="significant")
    row.threshold = "200000"
    row.save()
    # then
    assert suggest(indicators, grading_criteria()).level == "general"
    latest = row.history.latest()  # the correction is on record
    assert (latest.history_type, latest.threshold) == ("~", "200000")


# -- clean_indicators ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "key", "fragment"),
    [
        ({"portal_outage_minutes": -1}, "portal_outage_minutes", "negative"),
        ({"direct_loss_yuan": "-0.01"}, "direct_loss_yuan", "negative"),
        ({"portal_outage_minutes": MAX_MINUTES + 1}, "portal_outage_minutes", "Implausibly"),
        ({"population_share_percent": "100.01"}, "population_share_percent", "Implausibly"),
        ({"people_affected": 2_000_000_001}, "people_affected", "Implausibly"),
        ({"cii_total_outage_minutes": 1.5}, "cii_total_outage_minutes", "whole number"),
        ({"cii_total_outage_minutes": "90.5"}, "cii_total_outage_minutes", "whole number"),
        ({"cii_total_outage_minutes": "ninety"}, "cii_total_outage_minutes", "number"),
        ({"cii_total_outage_minutes": True}, "cii_total_outage_minutes", "number"),
        ({"cii_total_outage_minutes": "NaN"}, "cii_total_outage_minutes", "number"),
        ({"cii_total_outage_minutes": "Infinity"}, "cii_total_outage_minutes", "number"),
        ({"downtime": 5}, "downtime", "Unknown"),
        ({"data_leak": "huge"}, "data_leak", "Choose one of"),
        ({"portal_scope": "significant"}, "portal_scope", "Choose one of"),
        ({"population_scope": "county"}, "population_scope", "Choose one of"),
        ({"catch_all": "major"}, "catch_all_reason", "justification"),
        ({"data_leak": "significant"}, "data_leak_reason", "justification"),
        ({"catch_all": "major", "catch_all_reason": "   "}, "catch_all_reason", "justification"),
        ({"catch_all_reason": 12}, "catch_all_reason", "text"),
        ({"catch_all_reason": "x" * 4001}, "catch_all_reason", "4000"),
    ],
)
def test_clean_indicators_refuses_bad_input(data, key, fragment):
    with translation.override("en"):
        cleaned, errors = clean_indicators(data)
    assert key in errors, errors
    assert any(fragment.lower() in m.lower() for m in errors[key]), errors[key]


def test_clean_indicators_refuses_a_non_object():
    assert "indicators" in clean_indicators(["people_affected"])[1]


@pytest.mark.parametrize("data", [None, "", {}])
def test_clean_indicators_accepts_nothing(data):
    assert clean_indicators(data) == ({}, {})


def test_clean_indicators_normalises_good_input():
    cleaned, errors = clean_indicators(
        {
            "portal_scope": "major",
            "portal_outage_minutes": "360",
            "population_scope": "province",  # a share needs its scope (issue 11, item 20)
            "population_share_percent": "50.50",
            "direct_loss_yuan": 0,
            "people_affected": 100000.0,
            "catch_all": "major",
            "catch_all_reason": "  grid control affected  ",
            "data_leak": "none",
            "defacement_views": "",
            "cii_total_outage_minutes": None,
        }
    )
    assert errors == {}
    assert cleaned == {
        "portal_scope": "major",
        "portal_outage_minutes": 360,
        "population_scope": "province",
        "population_share_percent": "50.5",
        "direct_loss_yuan": "0",
        "people_affected": 100000,
        "catch_all": "major",
        "catch_all_reason": "grid control affected",
        "data_leak": "none",
    }
    assert set(JUSTIFIED) == {"catch_all", "data_leak"}


# -- scoped indicators need their scope (issue 11, item 20) ---------------------------------


@pytest.mark.parametrize(
    ("key", "value", "scope_key"),
    [
        ("portal_outage_minutes", 1440, "portal_scope"),
        ("population_share_percent", "60", "population_scope"),
        ("defacement_homepage_minutes", 400, "defacement_scope"),
        ("defacement_other_page_minutes", 1500, "defacement_scope"),
        ("defacement_reposts", 200000, "defacement_scope"),
        ("defacement_views", 2000000, "defacement_scope"),
        ("spread_determined", "especially_major", "defacement_scope"),
    ],
)
def test_a_scoped_indicator_without_its_scope_is_refused_on_the_scope_field(key, value, scope_key):
    with translation.override("en"):
        cleaned, errors = clean_indicators({key: value})
    assert scope_key in errors and "none" in errors[scope_key][0], errors
    # with a scope (even "none") it is taken
    scope = "prefecture" if scope_key == "population_scope" else "none"
    cleaned, errors = clean_indicators({key: value, scope_key: scope})
    assert errors == {} and cleaned[scope_key] == scope


def test_a_spread_determination_of_none_needs_no_scope():
    assert clean_indicators({"spread_determined": "none"}) == ({"spread_determined": "none"}, {})


def test_every_scoped_indicator_of_the_guide_is_checked_for_its_scope():
    from reports.indicators import SCOPED_BY

    assert SCOPE_KEYS is SCOPED_BY
    assert {c.indicator for c in CRITERIA if c.scope} == set(SCOPED_BY)


@pytest.mark.django_db
def test_the_api_refuses_a_scoped_indicator_without_its_scope(demo, api_for):
    response = api_for("operator-general").post(
        "/api/v1/reports/",
        {"title": "篡改", "indicators": {"defacement_homepage_minutes": 400}},
        format="json",
    )
    assert response.status_code == 400
    assert "defacement_scope" in response.json()["indicators"]
