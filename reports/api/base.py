"""What every command on a report shares, on the intake side and the review side: reading
the report as the API shows it, the 404-before-400 order, the schema's responses."""

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.api import BAD_REQUEST, UNAUTHORIZED, ErrorSerializer, call_service
from core.prefetch import apply_written, knows_related

from ..models import Attachment, FollowUp, InfoRequest, Report, ReportEvent
from ..selectors import report_list
from .inputs import RansomwareInputSerializer
from .serializers import ReportBriefSerializer, ReportSerializer

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


PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        "`return=minimal` (RFC 7240): answer with the report's short form (`ReportBrief`: "
        "id, reference, version, state, routing, clocks and the actions allowed) instead of "
        "the full report; the response then carries `Preference-Applied: return=minimal`. "
        "Without it, the full report."
    ),
)


def prefers_minimal(request) -> bool:
    """RFC 7240 `Prefer: return=minimal` (among other preferences, any case)."""
    header = request.headers.get("Prefer", "")
    return any(
        part.split(";")[0].strip().lower().replace(" ", "") == "return=minimal"
        for part in header.split(",")
    )


def action_schema(summary, request, *, description=None, created=None):
    """The extend_schema arguments every report command shares: 200 with the report (or 201
    with what it `created`), and 400/401/403/404/409."""
    ok = {201: created} if created is not None else {200: ReportSerializer}
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[REPORT_ID] if created is not None else [REPORT_ID, PREFER],
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
        "forwarding__same_level_departments",
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


TIMELINE = {
    "copied_to": "copied_to",
    "deadlines": "deadlines",
    "events": Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
    "followups": Prefetch("followups", queryset=FollowUp.objects.select_related("created_by")),
    "info_requests": Prefetch(
        "info_requests", queryset=InfoRequest.objects.select_related("authority", "requested_by")
    ),
    "attachments": Prefetch(
        "attachments", queryset=Attachment.objects.select_related("uploaded_by")
    ),
}


def complete_timeline(report) -> None:
    """Read what ReportSerializer needs and the instance does not hold yet: the relations a
    service did not just write, and the forwarding and summary records where they exist."""
    missing = [lookup for name, lookup in TIMELINE.items() if not knows_related(report, name)]
    if missing:
        prefetch_related_objects([report], *missing)
    cached = report._state.fields_cache
    if "forwarding" not in cached and report.forwarded_at is None:
        cached["forwarding"] = None  # forwarded_at and the record are written together
    if "summary" not in cached and report.handling_ended_at is None:
        cached["summary"] = None  # filed only once handling has ended


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

    def output(self, pk, *, status_code=status.HTTP_200_OK, command: bool = True) -> Response:
        """The report as the caller sees it now (read again); a command's answer honours
        `Prefer: return=minimal`."""
        if command and prefers_minimal(self.request):
            queryset = report_list(user=self.request.user).prefetch_related("deadlines")
        else:
            queryset = timeline_prefetch(report_list(user=self.request.user))
        report = queryset.filter(pk=pk).first()
        if report is None:
            raise Http404
        if not command:
            return Response(self.get_serializer(report).data, status=status_code)
        return self.respond(report, status_code=status_code)

    def respond(self, report, *, status_code=status.HTTP_200_OK) -> Response:
        """A report a command has just written (docs/ARCHITECTURE.md, "The write path"):
        what the service wrote is on the instance; only the rest is read."""
        if prefers_minimal(self.request):
            apply_written(report, many=ReportBriefSerializer.RELATIONS)
            data = ReportBriefSerializer(report, context=self.get_serializer_context()).data
            response = Response(data, status=status_code)
            response["Preference-Applied"] = "return=minimal"
            return response
        apply_written(report)
        complete_timeline(report)
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
