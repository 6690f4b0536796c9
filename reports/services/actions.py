"""The frame of every action on a submitted report (the operator's here, the authorities'
in `review.services`): lock the row, check the workflow's rules, bump the version."""

from django.http import Http404

from core.exceptions import StaleVersion

from .. import workflow
from ..models import Report
from ..selectors import report_get, report_roles, workflow_state


def begin(user, pk, action: str, *, version: int | None = None):
    """Lock the report and check the action (`user` None: the portal itself). Returns
    (report, role acting, new status or None)."""
    if user is None:
        try:
            report = (
                Report.objects.select_for_update(of=("self",))
                .select_related("receiving_authority")
                .get(pk=pk)
            )
        except Report.DoesNotExist:
            raise Http404 from None
    else:
        report = report_get(user=user, pk=pk, lock=True)
    role, to_status = check(user, report, action, version=version)
    return report, role, to_status


def check(user, report: Report, action: str, *, version: int | None = None):
    """`begin`'s rules on a report already locked: (role acting, new status or None)."""
    roles = report_roles(user, report)
    state = workflow_state(report, user=user, roles=roles, action=action)
    role, to_status = workflow.check(action, state, roles=roles, actor_id=getattr(user, "pk", None))
    if version is not None and version != report.version:
        raise StaleVersion()
    return role, to_status


def finish(report: Report, fields: list[str]) -> None:
    """Save the fields an action changed, with a new version (a stale edit gets its 409)."""
    report.version += 1
    report.save(update_fields=[*fields, "version", "updated_at"])
