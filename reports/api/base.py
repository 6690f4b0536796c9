"""What every command on a report shares, on the intake side and the review side: reading
the report as the API shows it, the 404-before-400 order, the schema's responses."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.api import BAD_REQUEST, UNAUTHORIZED, ErrorSerializer, call_service

from ..models import Attachment, FollowUp, InfoRequest, Report, ReportEvent
from ..selectors import report_list
from .inputs import RansomwareInputSerializer
from .serializers import ReportSerializer

FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Your role does not allow this action on this report.")
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such report, or one you may not see.")
)
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=_("The report's state or a stale `version` does not allow this. Nothing changed."),
)
REPORT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The report's id.")
)
# The service's ransom_* columns appear under `ransomware` in the API.
RANSOM_ERRORS = {
    column: ("ransomware", key) for key, column in RansomwareInputSerializer.COLUMNS.items()
}


def call(service, **kwargs):
    """A service call whose field errors come back named as the API names the fields."""
    return call_service(service, renames=RANSOM_ERRORS, **kwargs)


def action_schema(summary, request, *, description=None, created=None):
    """The extend_schema arguments every report command shares: 200 with the report (or 201
    with what it `created`), and 400/401/403/404/409."""
    ok = {201: created} if created is not None else {200: ReportSerializer}
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[REPORT_ID],
        request=request,
        responses={
            **ok,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )


def timeline_prefetch(queryset):
    """Everything ReportSerializer reads, in a fixed number of queries whatever the page."""
    return queryset.select_related("assignee", "forwarding", "summary__filed_by").prefetch_related(
        "deadlines",
        Prefetch(
            "events",
            queryset=ReportEvent.objects.select_related(
                "actor", "finding__authority", "finding__recorded_by"
            ),
        ),
        Prefetch("followups", queryset=FollowUp.objects.select_related("created_by")),
        Prefetch(
            "info_requests",
            queryset=InfoRequest.objects.select_related("authority", "requested_by"),
        ),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
    )


class ReportCommandsViewSet(viewsets.GenericViewSet):
    # Commands on `/api/v1/reports/{id}/…`: they answer with the report as the caller sees it.
    # (A comment, not a docstring: drf-spectacular would publish a docstring.)

    serializer_class = ReportSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Report.objects.none()
        return timeline_prefetch(report_list(user=self.request.user)).order_by("-created_at", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        return context

    def output(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        report = timeline_prefetch(report_list(user=self.request.user)).filter(pk=pk).first()
        if report is None:
            raise Http404
        return Response(self.get_serializer(report).data, status=status_code)

    def command_input(self, serializer_class, pk) -> dict:
        """404 if the report is not visible, then 400 for bad input; the validated data."""
        self.visible_or_404(pk)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def visible_or_404(self, pk) -> None:
        """Not visible = 404 before anything else, whatever the body says."""
        if not report_list(user=self.request.user).filter(pk=pk).exists():
            raise Http404
