"""Where each role lands after logging in (LOGIN_REDIRECT_URL; a `next` still wins): an
operator's reporters on their reports, a receiving authority's reviewers on their queue,
national officials on the dashboard, everyone else on the reports visible to them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.roles import roles_of


@login_required
def landing(request):
    roles = roles_of(request.user)
    if roles.can_draft:
        return redirect("reports:list")
    if roles.is_national:
        return redirect("dashboard:index")
    if roles.reviewer_at:
        return redirect("review:queue")
    return redirect("home")
