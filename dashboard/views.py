"""The dashboard page and its exports. Thin views: the filter form parses, the selectors
read (figures over the summary, lists through `visible_to`); the page's charts fetch their
figures from `/api/v1/stats/…` (static/js/dashboard.js)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from accounts.roles import roles_of
from core.db import replica_alias, replica_reads

from . import exports, selectors
from .filters import DashboardFilterForm
from .summary import summary_ensure_fresh

FILTER_FIELDS = (
    "date_from",
    "date_to",
    "province",
    "sector",
    "channel",
    "route",
    "level",
    "category",
)


class DashboardAccessMixin(LoginRequiredMixin):
    """National officials and receiving authority staff; others get 403 (the page exists
    for every authenticated user to see that they may not use it: no report is revealed)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = selectors.dashboard_scope(request.user)
        if self.scope is None:
            raise PermissionDenied(_("The dashboard is for national officials and authorities."))
        return super().dispatch(request, *args, **kwargs)

    def filter_form(self, request) -> DashboardFilterForm:
        data = {k: v for k, v in request.GET.items() if k in FILTER_FIELDS and v}
        form = DashboardFilterForm(data)
        if form.is_valid():
            filters = form.filters()
            data.setdefault("date_from", filters.date_from.isoformat())
            data.setdefault("date_to", filters.date_to.isoformat())
            form = DashboardFilterForm(data)
            form.is_valid()
        return form


class DashboardView(DashboardAccessMixin, View):
    template_name = "dashboard/index.html"

    def get(self, request):
        form = self.filter_form(request)
        query = urlencode({k: v for k, v in form.data.items() if v}) if form.is_valid() else ""
        health = selectors.stats_health()
        if self.scope.national:
            scope_label = _("Nationwide")
        else:
            scope_label = " · ".join(
                m.authority.display_name
                for m in roles_of(request.user).memberships
                if m.authority_id in self.scope.authorities
            )
        api = {
            name.replace("-", "_"): reverse(f"dashboard-api:{name}")
            for name in ("summary", "trend", "compliance", "late-operators", "watchlist", "health")
        }
        context = {
            "form": form,
            "query": query,
            "api": api,
            "health": health,
            "scope_label": scope_label,
            "national": self.scope.national,
            "echarts_locale": "EN" if (get_language() or "").startswith("en") else "ZH",
            "exports": [
                (_("Reports (CSV)"), "reports", "csv"),
                (_("Reports (Excel)"), "reports", "xlsx"),
                (_("Compliance table (CSV)"), "compliance", "csv"),
                (_("Compliance table (Excel)"), "compliance", "xlsx"),
            ],
        }
        return render(request, self.template_name, context)


class ExportView(DashboardAccessMixin, View):
    """`/dashboard/export/<reports|compliance>.<csv|xlsx>?<filters>`."""

    def get(self, request, table: str, fmt: str):
        if fmt not in exports.CONTENT_TYPES or table not in ("reports", "compliance"):
            raise Http404
        form = self.filter_form(request)
        if not form.is_valid():
            return HttpResponseBadRequest(
                form.errors.as_text(), content_type="text/plain; charset=utf-8"
            )
        filters = form.filters()
        # exports read from the read replica when there is one (core/db.py)
        if table == "reports":
            reports = selectors.scoped_reports(user=request.user, scope=self.scope, filters=filters)
            header, rows = exports.report_table(reports.using(replica_alias()))
            title = _("Reports")
        else:
            summary_ensure_fresh()
            with replica_reads():
                data = selectors.stats_compliance(scope=self.scope, filters=filters)
            header, rows = exports.compliance_table(data)
            title = _("Compliance")
        return exports.export_response(fmt, f"{table}-{filters.slug()}", title, header, rows)
