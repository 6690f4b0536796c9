"""PURE: the report's state machine, declared in one place (ARCHITECTURE.md, "The report's
life"). Services ask `assert_transition` before they change anything; it returns the new
status (None: the status does not change) or raises. No ORM, no clock."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .constants import Status, Tier
from .exceptions import ActionForbidden, InvalidTransition

REPORTER = "reporter"
REVIEWER = "reviewer"  # staff of the receiving authority
NATIONAL = "national_official"
POLICE = "police_liaison"
SYSTEM = "system"  # the escalation engine

OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_OPERATOR})
AFTER_DRAFT = OPEN | {Status.CLOSED}


@dataclass(frozen=True)
class Rule:
    roles: frozenset
    tiers: frozenset
    from_status: frozenset
    to_status: str | None = None


def _rule(roles, from_status, to_status=None, tiers=(Tier.RECEIVING, Tier.NATIONAL)):
    return Rule(frozenset(roles), frozenset(tiers), frozenset(from_status), to_status)


# (action, role) → rule. Authority staff act only at the tier that holds the report.
TRANSITIONS: dict[tuple[str, str], Rule] = {
    ("submit", REPORTER): _rule({REPORTER}, {Status.DRAFT}, Status.SUBMITTED, {Tier.RECEIVING}),
    ("claim", REVIEWER): _rule({REVIEWER}, {Status.SUBMITTED}, Status.IN_REVIEW, {Tier.RECEIVING}),
    ("assign", REVIEWER): _rule({REVIEWER}, OPEN, Status.IN_REVIEW, {Tier.RECEIVING}),
    ("assign", NATIONAL): _rule({NATIONAL}, OPEN, Status.IN_REVIEW, {Tier.NATIONAL}),
    ("acknowledge", NATIONAL): _rule(
        {NATIONAL}, {Status.SUBMITTED}, Status.IN_REVIEW, {Tier.NATIONAL}
    ),
    ("acknowledge", POLICE): _rule({POLICE}, AFTER_DRAFT),
    ("grade", REVIEWER): _rule({REVIEWER}, OPEN, None, {Tier.RECEIVING}),
    ("grade", NATIONAL): _rule({NATIONAL}, OPEN, None, {Tier.NATIONAL}),
    ("request_info", REVIEWER): _rule({REVIEWER}, OPEN, Status.AWAITING_OPERATOR, {Tier.RECEIVING}),
    ("request_info", NATIONAL): _rule({NATIONAL}, OPEN, Status.AWAITING_OPERATOR, {Tier.NATIONAL}),
    ("forward", REVIEWER): _rule({REVIEWER}, OPEN, Status.SUBMITTED, {Tier.RECEIVING}),
    ("forward", SYSTEM): _rule({SYSTEM}, OPEN, Status.SUBMITTED, {Tier.RECEIVING}),
    ("notify", REVIEWER): _rule({REVIEWER}, AFTER_DRAFT, None, {Tier.RECEIVING, Tier.NATIONAL}),
    ("notify", NATIONAL): _rule({NATIONAL}, AFTER_DRAFT, None, {Tier.NATIONAL}),
    ("close", REVIEWER): _rule({REVIEWER}, OPEN, Status.CLOSED, {Tier.RECEIVING}),
    ("close", NATIONAL): _rule({NATIONAL}, OPEN, Status.CLOSED, {Tier.NATIONAL}),
    ("followup", REPORTER): _rule({REPORTER}, OPEN),
    ("handling_ended", REPORTER): _rule({REPORTER}, AFTER_DRAFT),
    ("summary", REPORTER): _rule({REPORTER}, AFTER_DRAFT),
}
ACTIONS = frozenset(action for action, _role in TRANSITIONS)


def allowed(action: str, *, roles, tier: str, status: str) -> bool:
    try:
        assert_transition(action, roles=roles, tier=tier, status=status)
    except (ActionForbidden, InvalidTransition):
        return False
    return True


def assert_transition(action: str, *, roles, tier: str, status: str) -> tuple[str, str | None]:
    """Return (the role acting, the new status or None). Raises ActionForbidden when none of
    the caller's roles may ever do this, InvalidTransition when the state does not allow it."""
    candidates = [
        (role, TRANSITIONS[(action, role)]) for role in roles if (action, role) in TRANSITIONS
    ]
    if not candidates:
        raise ActionForbidden()
    for role, rule in candidates:
        if tier in rule.tiers and status in rule.from_status:
            return role, rule.to_status
    raise InvalidTransition(
        _("“%(action)s” is not allowed while the report is %(status)s at the %(tier)s tier.")
        % {"action": action, "status": Status(status).label, "tier": Tier(tier).label}
    )
