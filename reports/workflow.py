"""PURE: the report's state machine and every guard on its actions, declared in one place
(docs/ARCHITECTURE.md, "The report's life"). Services call `check` before they change
anything; pages and the API list what a user may do now with `allowed_actions`, from the
same rules. No ORM, no clock: the caller passes a `ReportState` read from the row.

It lives in `reports` (not `review`) because the operator's actions after submission
(follow-ups, end of handling, summary report) are part of the same life, and the intake
services that perform them must enforce it too."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.constants import Role
from core.exceptions import ActionForbidden, InvalidTransition

from .constants import SERIOUS, Status, Tier

REPORTER = Role.REPORTER
REVIEWER = Role.REVIEWER  # staff of the authority the report is routed to
NATIONAL = Role.NATIONAL_OFFICIAL
POLICE = Role.POLICE_LIAISON  # staff of an authority the report is copied to
SYSTEM = "system"  # the escalation engine

OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.AWAITING_OPERATOR})
AFTER_DRAFT = OPEN | {Status.CLOSED}


@dataclass(frozen=True)
class ReportState:
    """What the rules need to know about one report, and about the user acting on it."""

    tier: str
    status: str
    severity: str
    assignee_id: int | None = None
    assignee_name: str = ""
    forwarded: bool = False
    handling_ended: bool = False
    summary_filed: bool = False
    acknowledged_by_actor: bool = False  # the acting user has acknowledged it already

    @property
    def is_serious(self) -> bool:
        return self.severity in SERIOUS


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
    # Art. 10: a finding of late, missed, false or concealed reporting, at any time after
    # submission, by the receiving authority or the national tier
    ("finding", REVIEWER): _rule({REVIEWER}, AFTER_DRAFT),
    ("finding", NATIONAL): _rule({NATIONAL}, AFTER_DRAFT),
    ("close", REVIEWER): _rule({REVIEWER}, OPEN, Status.CLOSED, {Tier.RECEIVING}),
    ("close", NATIONAL): _rule({NATIONAL}, OPEN, Status.CLOSED, {Tier.NATIONAL}),
    # 补报 and 续报 stay possible after an authority closes a report (Art. 7 ¶3)
    ("followup", REPORTER): _rule({REPORTER}, AFTER_DRAFT),
    ("handling_ended", REPORTER): _rule({REPORTER}, AFTER_DRAFT),
    ("summary", REPORTER): _rule({REPORTER}, AFTER_DRAFT),
}
ACTIONS = frozenset(action for action, _role in TRANSITIONS)
# The order in which pages offer the actions.
REVIEW_ACTIONS = (
    "claim",
    "acknowledge",
    "assign",
    "grade",
    "request_info",
    "forward",
    "notify",
    "close",
    "finding",
)
OPERATOR_ACTIONS = ("followup", "handling_ended", "summary")
ALL_ACTIONS = ("submit", *REVIEW_ACTIONS, *OPERATOR_ACTIONS)


def _guard(action: str, role: str, state: ReportState, actor_id) -> str | None:
    """What the state table cannot say: the reason an action the table allows is refused
    for this report (None: allowed)."""
    if action == "claim" and state.assignee_id is not None:
        return _("Already claimed by %(user)s.") % {"user": state.assignee_name or "—"}
    if action == "forward":
        if not state.is_serious:
            return _("Only a major or especially major report goes to the national tier.")
        if state.forwarded:
            return _("This report has already been forwarded.")
    if action == "close" and state.tier == Tier.RECEIVING and state.is_serious:
        return _("A major or especially major report must be forwarded to the national tier first.")
    if action == "acknowledge" and role == POLICE and state.acknowledged_by_actor:
        return _("You have already acknowledged this copy.")
    if action == "handling_ended" and state.handling_ended:
        return _("The end of handling is already recorded.")
    if action == "summary":
        if not state.handling_ended:
            return _("Record when handling ended before filing the summary report.")
        if state.summary_filed:
            return _("The summary report has already been filed.")
    return None


def check(action: str, state: ReportState, *, roles, actor_id=None) -> tuple[str, str | None]:
    """Return (the role acting, the new status or None). Raises ActionForbidden when none of
    the caller's roles may ever do this, InvalidTransition when the state does not allow it
    (with the reason)."""
    candidates = [
        (role, TRANSITIONS[(action, role)]) for role in roles if (action, role) in TRANSITIONS
    ]
    if not candidates:
        raise ActionForbidden()
    if (
        action == "claim"
        and state.assignee_id is not None
        and state.assignee_id != actor_id
        and state.assignee_name
    ):
        raise InvalidTransition(_("Already claimed by %(user)s.") % {"user": state.assignee_name})
    for role, rule in candidates:
        if state.tier in rule.tiers and state.status in rule.from_status:
            reason = _guard(action, role, state, actor_id)
            if reason is not None:
                raise InvalidTransition(reason)
            return role, rule.to_status
    raise InvalidTransition(
        _("“%(action)s” is not allowed while the report is %(status)s at the %(tier)s tier.")
        % {"action": action, "status": Status(state.status).label, "tier": Tier(state.tier).label}
    )


def allowed(action: str, state: ReportState, *, roles, actor_id=None) -> bool:
    try:
        check(action, state, roles=roles, actor_id=actor_id)
    except (ActionForbidden, InvalidTransition):
        return False
    return True


def allowed_actions(state: ReportState, *, roles, actor_id=None) -> list[str]:
    """Every action the user may take on the report now, in the pages' order."""
    return [
        action for action in ALL_ACTIONS if allowed(action, state, roles=roles, actor_id=actor_id)
    ]
