"""The pure state machine (`reports.workflow`), table-driven and without a database: every
guard, 403 (ActionForbidden: the role never may) before 409 (InvalidTransition: not in this
state), and `allowed_actions` = exactly the actions `check` lets through."""

import itertools

import pytest
from django.utils import translation

from core.exceptions import ActionForbidden, InvalidTransition
from reports.workflow import (
    ALL_ACTIONS,
    NATIONAL,
    POLICE,
    REPORTER,
    REVIEWER,
    SYSTEM,
    ReportState,
    allowed_actions,
    check,
)

ME, OTHER = 1, 2


@pytest.fixture(autouse=True)
def english():
    """The refusals' reasons are read in English here (the portal's default is Chinese)."""
    with translation.override("en"):
        yield


def state(tier="receiving", status="in_review", severity="major", **facts) -> ReportState:
    return ReportState(tier=tier, status=status, severity=severity, **facts)


FORBIDDEN, INVALID = ActionForbidden, InvalidTransition

# (action, roles, state, expected: (role, new status) or an exception class)
ALLOWED_CASES = {
    "submit a draft": ("submit", {REPORTER}, state(status="draft"), (REPORTER, "submitted")),
    "claim a new report": ("claim", {REVIEWER}, state(status="submitted"), (REVIEWER, "in_review")),
    "assign at the receiving tier": ("assign", {REVIEWER}, state(), (REVIEWER, "in_review")),
    "assign at the national tier": (
        "assign",
        {NATIONAL},
        state(tier="national"),
        (NATIONAL, "in_review"),
    ),
    "national acknowledges a forwarded report": (
        "acknowledge",
        {NATIONAL},
        state(tier="national", status="submitted"),
        (NATIONAL, "in_review"),
    ),
    "police acknowledges a copy (status unchanged)": (
        "acknowledge",
        {POLICE},
        state(status="submitted"),
        (POLICE, None),
    ),
    "police acknowledges a closed copy": (
        "acknowledge",
        {POLICE},
        state(status="closed"),
        (POLICE, None),
    ),
    "grade (status unchanged)": ("grade", {REVIEWER}, state(), (REVIEWER, None)),
    "request information": (
        "request_info",
        {NATIONAL},
        state(tier="national"),
        (NATIONAL, "awaiting_operator"),
    ),
    "forward a serious report": ("forward", {REVIEWER}, state(), (REVIEWER, "submitted")),
    "forward an especially major report": (
        "forward",
        {REVIEWER},
        state(severity="especially_major"),
        (REVIEWER, "submitted"),
    ),
    "the portal forwards by itself": (
        "forward",
        {SYSTEM},
        state(status="submitted"),
        (SYSTEM, "submitted"),
    ),
    "forward while awaiting the operator": (
        "forward",
        {REVIEWER},
        state(status="awaiting_operator"),
        (REVIEWER, "submitted"),
    ),
    "reviewer notifies after the forward": (
        "notify",
        {REVIEWER},
        state(tier="national", status="closed"),
        (REVIEWER, None),
    ),
    "close a significant report at the receiving tier": (
        "close",
        {REVIEWER},
        state(severity="significant"),
        (REVIEWER, "closed"),
    ),
    "close a serious report at the national tier": (
        "close",
        {NATIONAL},
        state(tier="national"),
        (NATIONAL, "closed"),
    ),
    "follow up while awaiting the operator": (
        "followup",
        {REPORTER},
        state(status="awaiting_operator"),
        (REPORTER, None),
    ),
    # issue 11, item 15: 补报 and 续报 stay possible after an authority closes a report
    "follow up a closed report": (
        "followup",
        {REPORTER},
        state(status="closed"),
        (REPORTER, None),
    ),
    "record the end of handling of a closed report": (
        "handling_ended",
        {REPORTER},
        state(status="closed"),
        (REPORTER, None),
    ),
    "summary after the end of handling": (
        "summary",
        {REPORTER},
        state(handling_ended=True),
        (REPORTER, None),
    ),
}


@pytest.mark.parametrize(
    ("action", "roles", "report", "expected"), ALLOWED_CASES.values(), ids=ALLOWED_CASES
)
def test_allowed_transitions_give_the_role_and_the_new_status(action, roles, report, expected):
    assert check(action, report, roles=roles, actor_id=ME) == expected


# --- the guards: what the state table cannot say -------------------------------------------

GUARDS = {
    "forward a significant report": (
        "forward",
        {REVIEWER},
        state(severity="significant"),
        "major or especially major",
    ),
    "forward a general report": ("forward", {REVIEWER}, state(severity="general"), "major"),
    "the portal forwards a significant report": (
        "forward",
        {SYSTEM},
        state(severity="significant"),
        "major",
    ),
    "forward twice": ("forward", {REVIEWER}, state(forwarded=True), "already been forwarded"),
    "the portal forwards a forwarded report": (
        "forward",
        {SYSTEM},
        state(forwarded=True),
        "already been forwarded",
    ),
    "close a serious report at the receiving tier": (
        "close",
        {REVIEWER},
        state(severity="major"),
        "forwarded to the national tier first",
    ),
    "close an especially major report at the receiving tier": (
        "close",
        {REVIEWER},
        state(severity="especially_major"),
        "forwarded to the national tier first",
    ),
    "claim a report someone else holds": (
        "claim",
        {REVIEWER},
        state(status="submitted", assignee_id=OTHER, assignee_name="reviewer-x"),
        "reviewer-x",
    ),
    "claim a report in review that someone else holds": (
        "claim",
        {REVIEWER},
        state(status="in_review", assignee_id=OTHER, assignee_name="reviewer-x"),
        "reviewer-x",
    ),
    "end handling twice": ("handling_ended", {REPORTER}, state(handling_ended=True), "already"),
    "summary before the end of handling": (
        "summary",
        {REPORTER},
        state(status="closed"),
        "before filing the summary",
    ),
    "summary twice": (
        "summary",
        {REPORTER},
        state(handling_ended=True, summary_filed=True),
        "already been filed",
    ),
    "police acknowledges twice": (
        "acknowledge",
        {POLICE},
        state(status="submitted", acknowledged_by_actor=True),
        "already acknowledged",
    ),
}


@pytest.mark.parametrize(("action", "roles", "report", "reason"), GUARDS.values(), ids=GUARDS)
def test_a_guard_refuses_with_its_reason(action, roles, report, reason):
    with pytest.raises(InvalidTransition) as refused:
        check(action, report, roles=roles, actor_id=ME)
    assert reason in str(refused.value.message)


def test_a_claim_refused_names_the_holder_but_an_unnamed_holder_is_not_exposed():
    held = state(status="in_review", assignee_id=OTHER, assignee_name="")
    with pytest.raises(InvalidTransition) as refused:
        check("claim", held, roles={REVIEWER}, actor_id=ME)
    assert "claimed by" not in str(refused.value.message).lower()


def test_the_national_tier_acknowledges_once_by_status_not_by_the_police_guard():
    report = state(tier="national", status="in_review", acknowledged_by_actor=True)
    with pytest.raises(InvalidTransition):
        check("acknowledge", report, roles={NATIONAL}, actor_id=ME)
    fresh = state(tier="national", status="submitted", acknowledged_by_actor=True)
    assert check("acknowledge", fresh, roles={NATIONAL}, actor_id=ME) == (NATIONAL, "in_review")


# --- 403 before 409 ------------------------------------------------------------------------

ORDERING = {
    # a role that never may: 403, whatever the state
    "reporter claims a closed national report": (
        "claim",
        {REPORTER},
        state(tier="national", status="closed"),
        FORBIDDEN,
    ),
    "reporter claims a report someone holds": (
        "claim",
        {REPORTER},
        state(status="submitted", assignee_id=OTHER, assignee_name="reviewer-x"),
        FORBIDDEN,
    ),
    "reporter forwards a significant report": (
        "forward",
        {REPORTER},
        state(severity="significant"),
        FORBIDDEN,
    ),
    "police grades": ("grade", {POLICE}, state(), FORBIDDEN),
    "police closes": ("close", {POLICE}, state(severity="significant"), FORBIDDEN),
    "reviewer files the summary twice": (
        "summary",
        {REVIEWER},
        state(handling_ended=True, summary_filed=True),
        FORBIDDEN,
    ),
    "national submits": ("submit", {NATIONAL}, state(status="draft"), FORBIDDEN),
    "national claims": ("claim", {NATIONAL}, state(tier="national", status="submitted"), FORBIDDEN),
    "national forwards": ("forward", {NATIONAL}, state(), FORBIDDEN),
    "the portal closes": ("close", {SYSTEM}, state(severity="significant"), FORBIDDEN),
    "nobody does anything": ("notify", set(), state(), FORBIDDEN),
    # a role that may, in another state or at another tier: 409
    "reviewer grades at the national tier": ("grade", {REVIEWER}, state(tier="national"), INVALID),
    "reviewer claims a report in review": ("claim", {REVIEWER}, state(), INVALID),
    "reviewer forwards a draft": ("forward", {REVIEWER}, state(status="draft"), INVALID),
    "reviewer forwards a closed serious report": (
        "forward",
        {REVIEWER},
        state(status="closed"),
        INVALID,
    ),
    "national acknowledges at the receiving tier": (
        "acknowledge",
        {NATIONAL},
        state(status="submitted"),
        INVALID,
    ),
    "national notifies at the receiving tier": ("notify", {NATIONAL}, state(), INVALID),
    "reporter submits twice": ("submit", {REPORTER}, state(status="submitted"), INVALID),
    "reporter follows up a draft": ("followup", {REPORTER}, state(status="draft"), INVALID),
    "reporter ends handling of a draft": (
        "handling_ended",
        {REPORTER},
        state(status="draft"),
        INVALID,
    ),
    "police acknowledges a draft": ("acknowledge", {POLICE}, state(status="draft"), INVALID),
}


@pytest.mark.parametrize(("action", "roles", "report", "error"), ORDERING.values(), ids=ORDERING)
def test_forbidden_for_the_role_comes_before_invalid_for_the_state(action, roles, report, error):
    with pytest.raises(error) as raised:
        check(action, report, roles=roles, actor_id=ME)
    assert type(raised.value) is error  # StaleVersion and the like are InvalidTransitions too


def test_an_unknown_action_is_forbidden():
    with pytest.raises(ActionForbidden):
        check("delete", state(), roles={REVIEWER, NATIONAL, REPORTER, POLICE}, actor_id=ME)


def test_with_several_roles_the_one_the_state_allows_acts():
    # a reviewer who is also a police liaison acknowledges as the liaison
    assert check("acknowledge", state(), roles={REVIEWER, POLICE}, actor_id=ME) == (POLICE, None)
    # a national official who is also the receiving reviewer grades at either tier
    both = {REVIEWER, NATIONAL}
    assert check("grade", state(), roles=both, actor_id=ME) == (REVIEWER, None)
    assert check("grade", state(tier="national"), roles=both, actor_id=ME) == (NATIONAL, None)


# --- allowed_actions -----------------------------------------------------------------------

ROLE_SETS = [
    set(),
    {REPORTER},
    {REVIEWER},
    {NATIONAL},
    {POLICE},
    {SYSTEM},
    {REVIEWER, POLICE},
    {REVIEWER, NATIONAL},
    {REPORTER, REVIEWER, NATIONAL, POLICE},
]


def every_state():
    """Every combination of the facts the rules read (one level on each side of "serious":
    the tables above show that general and especially major are judged alike)."""
    for tier, status, severity, assignee, forwarded, ended, filed, acked in itertools.product(
        ("receiving", "national"),
        ("draft", "submitted", "in_review", "awaiting_operator", "closed"),
        ("significant", "major"),
        (None, ME, OTHER),
        (False, True),
        (False, True),
        (False, True),
        (False, True),
    ):
        yield ReportState(
            tier=tier,
            status=status,
            severity=severity,
            assignee_id=assignee,
            assignee_name={None: "", ME: "me", OTHER: "someone"}[assignee],
            forwarded=forwarded,
            handling_ended=ended,
            summary_filed=filed,
            acknowledged_by_actor=acked,
        )


def passes(action, report, roles) -> bool:
    try:
        check(action, report, roles=roles, actor_id=ME)
    except (ActionForbidden, InvalidTransition):
        return False
    return True


def test_allowed_actions_are_exactly_those_check_lets_through_in_the_pages_order():
    seen = 0
    for report in every_state():
        for roles in ROLE_SETS:
            expected = [a for a in ALL_ACTIONS if passes(a, report, roles)]
            assert allowed_actions(report, roles=roles, actor_id=ME) == expected, (report, roles)
            seen += 1
    assert seen == 2 * 5 * 2 * 3 * 2**4 * len(ROLE_SETS)


ACTIONS_NOW = {
    "a reporter on a draft": ({REPORTER}, state(status="draft"), ["submit"]),
    "a reporter on a report in review": (
        {REPORTER},
        state(),
        ["followup", "handling_ended"],
    ),
    "a reporter once handling ended": (
        {REPORTER},
        state(status="closed", handling_ended=True),
        ["followup", "summary"],
    ),
    "a reviewer on a new serious report": (
        {REVIEWER},
        state(status="submitted"),
        ["claim", "assign", "grade", "request_info", "forward", "notify", "finding"],
    ),
    "a reviewer on a new significant report": (
        {REVIEWER},
        state(status="submitted", severity="significant"),
        ["claim", "assign", "grade", "request_info", "notify", "close", "finding"],
    ),
    "a reviewer on a report someone else holds": (
        {REVIEWER},
        state(status="submitted", assignee_id=OTHER, assignee_name="x", severity="significant"),
        ["assign", "grade", "request_info", "notify", "close", "finding"],
    ),
    "a reviewer after the forward": (
        {REVIEWER},
        state(tier="national", status="submitted", forwarded=True),
        ["notify", "finding"],
    ),
    "national on a forwarded report": (
        {NATIONAL},
        state(tier="national", status="submitted", forwarded=True),
        ["acknowledge", "assign", "grade", "request_info", "notify", "close", "finding"],
    ),
    "national on a closed report": (
        {NATIONAL},
        state(tier="national", status="closed"),
        ["notify", "finding"],
    ),
    # an Art. 10 finding (issue 11, item 20) at any time after submission
    "national on a serious report still at the receiving tier": (
        {NATIONAL},
        state(),
        ["finding"],
    ),
    "police on a copy": ({POLICE}, state(status="submitted"), ["acknowledge"]),
    "police on an acknowledged copy": (
        {POLICE},
        state(status="submitted", acknowledged_by_actor=True),
        [],
    ),
    "the portal on a serious report": ({SYSTEM}, state(), ["forward"]),
    "nobody": (set(), state(), []),
}


@pytest.mark.parametrize(("roles", "report", "expected"), ACTIONS_NOW.values(), ids=ACTIONS_NOW)
def test_what_each_role_may_do_now(roles, report, expected):
    assert allowed_actions(report, roles=roles, actor_id=ME) == expected
