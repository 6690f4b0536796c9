"""The receiving and the national queues, sorted by the clock that runs out first."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.roles import roles_of
from core.pages import PAGE_SIZES, LitePage, page_size
from reports.models import Category

from ..filters import ReviewQueueFilterSet
from ..selectors import (
    NATIONAL_TABS,
    RECEIVING_TABS,
    national_downgraded_list,
    national_watch_list,
    review_queue,
    review_queue_counts,
)

TAB_LABELS = {
    "new": gettext_lazy("New"),
    "mine": gettext_lazy("Mine"),
    "waiting": gettext_lazy("Waiting for the operator"),
    "serious": gettext_lazy("Serious, to forward"),
    "forwarded": gettext_lazy("Forwarded"),
    "overdue": gettext_lazy("Overdue"),
    "closed": gettext_lazy("Closed"),
}
NATIONAL_TAB_LABELS = {**TAB_LABELS, "new": gettext_lazy("New (unacknowledged)")}


class _QueueView(LoginRequiredMixin, View):
    template_name = "review/queue.html"
    national = False
    tabs: tuple = RECEIVING_TABS
    labels = TAB_LABELS

    def allowed(self, roles) -> bool:
        raise NotImplementedError

    def get(self, request):
        roles = roles_of(request.user)
        if not (self.allowed(roles) or request.user.is_superuser):
            raise PermissionDenied(_("This queue is for the staff of an authority."))
        tab = request.GET.get("tab") or self.tabs[0]
        if tab not in self.tabs:
            tab = self.tabs[0]
        now = timezone.now()
        queryset = review_queue(user=request.user, tab=tab, now=now, national=self.national)
        filterset = ReviewQueueFilterSet(request.GET or None, queryset=queryset)
        page = LitePage(filterset.qs, request.GET.get("page"), page_size(request))
        # how many each tab holds under the same filters: one aggregate query
        counts = review_queue_counts(
            user=request.user,
            now=now,
            national=self.national,
            narrow=lambda qs: ReviewQueueFilterSet(request.GET or None, queryset=qs).qs,
        )
        context = {
            "tab": tab,
            "tabs": [(name, self.labels[name], counts[name]) for name in self.tabs],
            "page_obj": page,
            "filter": filterset,
            "categories": list(Category.objects.order_by("code")),
            "page_sizes": PAGE_SIZES,
            "per_page": page_size(request),
            "now": now,
            "national": self.national,
            "read_only": not roles.can_act_as_staff,
        }
        context.update(self.extra_context(request))
        return render(request, self.template_name, context)

    def extra_context(self, request) -> dict:
        return {}


class ReviewQueueView(_QueueView):
    """Receiving authorities: reports routed or copied to theirs (police: copies, read only)."""

    def allowed(self, roles) -> bool:
        return roles.is_receiving_staff

    def get(self, request):
        roles = roles_of(request.user)
        if roles.is_national and not roles.is_receiving_staff:
            return redirect("review:national_queue")
        return super().get(request)


class NationalQueueView(_QueueView):
    national = True
    tabs = NATIONAL_TABS
    labels = NATIONAL_TAB_LABELS

    def allowed(self, roles) -> bool:
        return roles.is_national

    def extra_context(self, request) -> dict:
        return {
            "watch_list": list(national_watch_list(user=request.user)),
            "downgraded": list(national_downgraded_list(user=request.user)),
        }
