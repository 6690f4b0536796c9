"""`/api/v1/stats/…`: the figures behind the dashboard (docs/ARCHITECTURE.md, "Interfaces").
National officials see nationwide figures; a receiving authority's staff, their authority's;
anyone else gets 403. Every endpoint takes the same filters as the dashboard page."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.db import replica_reads
from reports.constants import Channel, ReceivedVia, Severity

from .. import selectors
from ..filters import DashboardFilterForm
from ..models import SummaryState
from ..summary import summary_ensure_fresh
from .serializers import (
    StatsComplianceSerializer,
    StatsHealthSerializer,
    StatsLateOperatorsSerializer,
    StatsSummarySerializer,
    StatsTrendSerializer,
    StatsWatchlistSerializer,
)


class CanSeeDashboard(BasePermission):
    message = _("Only national officials and receiving authority staff see the dashboard.")

    def has_permission(self, request, view):
        scope = selectors.dashboard_scope(request.user)
        request.dashboard_scope = scope
        return scope is not None


FILTER_PARAMETERS = [
    OpenApiParameter(
        "date_from",
        OpenApiTypes.DATE,
        description=_("First day of the period (Beijing time); default 29 days before the end."),
    ),
    OpenApiParameter(
        "date_to", OpenApiTypes.DATE, description=_("Last day of the period; default today.")
    ),
    OpenApiParameter(
        "province", OpenApiTypes.STR, description=_("The operator's province (GB/T 2260 code).")
    ),
    OpenApiParameter("sector", OpenApiTypes.STR, description=_("The operator's CII sector code.")),
    OpenApiParameter("channel", OpenApiTypes.STR, enum=Channel.values),
    OpenApiParameter(
        "route",
        OpenApiTypes.STR,
        enum=ReceivedVia.values,
        description=_("How the report was received (`received_via`)."),
    ),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Severity.values),
    OpenApiParameter(
        "category",
        OpenApiTypes.STR,
        description=_("A sub-category code, or a class code for all its sub-categories."),
    ),
]
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Bad filter: `{field: [message]}`.")),
    401: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Not logged in.")),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description=_("Not a dashboard user.")),
}


class StatsView(APIView):
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, CanSeeDashboard]
    serializer_class = None
    uses_summary = True

    def figures(self, request, scope, filters) -> dict:
        raise NotImplementedError

    def get(self, request):
        form = DashboardFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({f: [str(e) for e in errs] for f, errs in form.errors.items()})
        data = {}
        if self.uses_summary:
            state = summary_ensure_fresh()
            if "as_of" in self.serializer_class().fields:
                data["as_of"] = state.refreshed_at
        with replica_reads():  # the figures may come from the read replica (core/db.py)
            data.update(self.figures(request, request.dashboard_scope, form.filters()))
        return Response(self.serializer_class(data).data)


def _doc(serializer, summary, description):
    return extend_schema(
        tags=["stats"],
        summary=summary,
        description=description,
        parameters=FILTER_PARAMETERS,
        responses={200: serializer, **ERRORS},
    )


class SummaryView(StatsView):
    serializer_class = StatsSummarySerializer

    @_doc(
        StatsSummarySerializer,
        _("Counts by level, status, channel, category and province"),
        _("Reports submitted in the period, counted in the database."),
    )
    def get(self, request):
        return super().get(request)

    def figures(self, request, scope, filters):
        return selectors.stats_summary(scope=scope, filters=filters)


class TrendView(StatsView):
    serializer_class = StatsTrendSerializer

    @_doc(StatsTrendSerializer, _("Reports per day"), _("Every day of the period, zeros included."))
    def get(self, request):
        return super().get(request)

    def figures(self, request, scope, filters):
        return selectors.stats_trend(scope=scope, filters=filters)


class ComplianceView(StatsView):
    serializer_class = StatsComplianceSerializer

    @_doc(
        StatsComplianceSerializer,
        _("Compliance with the statutory limits"),
        _(
            "Share of reports filed on time per channel; per receiving authority the median "
            "and 95th percentile time from receipt to forward, automatic and late forwards, "
            "and late summary reports."
        ),
    )
    def get(self, request):
        return super().get(request)

    def figures(self, request, scope, filters):
        return selectors.stats_compliance(scope=scope, filters=filters)


class LateOperatorsView(StatsView):
    serializer_class = StatsLateOperatorsSerializer

    @_doc(
        StatsLateOperatorsSerializer,
        _("Operators with the most late reports"),
        _("Reports filed after the statutory limit, per operator, most first (top 10)."),
    )
    def get(self, request):
        return super().get(request)

    def figures(self, request, scope, filters):
        return selectors.stats_late_operators(scope=scope, filters=filters)


class WatchlistView(StatsView):
    serializer_class = StatsWatchlistSerializer

    @_doc(
        StatsWatchlistSerializer,
        _("Serious reports awaiting forward, and those forwarded in the last 24 hours"),
        _(
            "Live. Serious reports still at a receiving authority with a running forward "
            "clock (closest to the limit first), and reports forwarded in the last 24 hours. "
            "At most 50 of each; the totals count them all."
        ),
    )
    def get(self, request):
        return super().get(request)

    def figures(self, request, scope, filters):
        return selectors.stats_watchlist(
            user=request.user, scope=scope, filters=filters, now=timezone.now()
        )


class HealthView(StatsView):
    serializer_class = StatsHealthSerializer
    uses_summary = False

    @extend_schema(
        tags=["stats"],
        summary=_("Escalation sweep status"),
        description=_("When the escalation sweep last ran; `stale` when it has not run recently."),
        responses={200: StatsHealthSerializer, 401: ERRORS[401], 403: ERRORS[403]},
    )
    def get(self, request):
        state = SummaryState.objects.filter(pk=1).first()
        return Response(self.serializer_class(selectors.stats_health(summary_state=state)).data)
