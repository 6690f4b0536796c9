"""API v1 views of the intake side (docs/ARCHITECTURE.md, "API"): the reports as a
caller may see them, drafts, submission, the operator's follow-ups, end of handling and
summary report, evidence, and the incident categories. Reads go through the selectors
(`visible_to` underneath); every write calls a service. The review commands on the same
reports are `review.api.views`."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.roles import roles_of
from core.api import BAD_REQUEST, NO_SUCH_PAGE, UNAUTHORIZED, ErrorSerializer, JSONParser
from core.pages import download_response

from ..constants import ReceivedVia
from ..filters import ReportFilterSet
from ..models import Attachment, Category, FollowUp
from ..services.drafting import report_create_idempotent, report_discard, report_update
from ..services.evidence import EVIDENCE_TYPES, attachment_add, attachment_get
from ..services.followups import report_followup, report_handling_ended, report_summary
from ..services.submission import report_submit
from .base import (
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    PREFER,
    REPORT_ID,
    ReportCommandsViewSet,
    action_schema,
    call,
)
from .inputs import (
    AttachmentInputSerializer,
    ReportCreateInputSerializer,
    ReportFollowUpInputSerializer,
    ReportHandlingEndedInputSerializer,
    ReportSubmitInputSerializer,
    ReportSummaryInputSerializer,
    ReportUpdateInputSerializer,
)
from .serializers import (
    AttachmentSerializer,
    CategorySerializer,
    FollowUpSerializer,
    ReportSerializer,
    SummaryReportSerializer,
)

IDEMPOTENCY_KEY_MAX = 200  # reports.models.IdempotencyKey.key


class IsReporter(permissions.BasePermission):
    """Only an operator's reporters, and the service providers they granted the right to
    draft (Art. 5), create drafts (an authority's staff get 403). Only reporters submit:
    the service refuses a provider."""

    message = _("Only an operator's reporters can file reports.")

    def has_permission(self, request, view) -> bool:
        return roles_of(request.user).can_draft


ATTACHMENT_ID = OpenApiParameter(
    "aid", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("The attachment's id.")
)


class FirstRendererNegotiation(BaseContentNegotiation):
    """The file download answers with the file whatever the client's Accept header says
    (errors as JSON): no 406 for a client asking for `application/pdf`."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the reports you may see"),
        responses={
            200: ReportSerializer(many=True),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NO_SUCH_PAGE,
        },
    ),
    retrieve=extend_schema(
        summary=_("One report, with its clocks and timeline"),
        parameters=[REPORT_ID],
        responses={200: ReportSerializer, 401: UNAUTHORIZED, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(ReportCommandsViewSet):
    parser_classes = [JSONParser]
    filterset_class = ReportFilterSet

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), IsReporter()]
        return super().get_permissions()

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self.output(pk, command=False)

    @extend_schema(
        summary=_("Create a draft"),
        request=ReportCreateInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_(
                    "Retrying with the same key and the same data returns the report the "
                    "first request made (200 instead of 201); the same key with other data "
                    "is refused (422)."
                ),
            ),
            PREFER,
        ],
        responses={
            201: ReportSerializer,
            200: OpenApiResponse(
                ReportSerializer, description=_("A retry with a known Idempotency-Key.")
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            422: OpenApiResponse(
                ErrorSerializer,
                description=_("The Idempotency-Key was used before, with other data."),
            ),
        },
    )
    def create(self, request):
        key = request.headers.get("Idempotency-Key") or None
        if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
            raise ValidationError(
                {
                    "Idempotency-Key": [
                        _("At most %(max)d characters.") % {"max": IDEMPOTENCY_KEY_MAX}
                    ]
                }
            )
        serializer = ReportCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = call(
            report_create_idempotent,
            user=request.user,
            data=serializer.service_data(),
            organization=serializer.validated_data.get("organization"),
            idempotency_key=key,
            via=ReceivedVia.API,
            involves_state_secrets=serializer.validated_data.get("involves_state_secrets"),
        )
        return self.respond(
            report, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary=_("Edit a draft"),
        parameters=[REPORT_ID, PREFER],
        request=ReportUpdateInputSerializer,
        responses={
            200: ReportSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def partial_update(self, request, pk=None):
        self.visible_or_404(pk)
        serializer = ReportUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = call(
            report_update,
            user=request.user,
            pk=pk,
            data=serializer.service_data(),
            version=serializer.validated_data["version"],
            involves_state_secrets=serializer.validated_data.get("involves_state_secrets"),
        )
        return self.output(report.pk)

    @extend_schema(
        summary=_("Discard a draft"),
        parameters=[REPORT_ID],
        description=_(
            "The draft leaves every list (later reads answer 404); its timeline and history "
            "stay on record and its filing clock is cancelled. A submitted report, or one an "
            "authority required, cannot be discarded: 409."
        ),
        request=None,
        responses={
            204: OpenApiResponse(description=_("Discarded.")),
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def destroy(self, request, pk=None):
        self.visible_or_404(pk)
        call(report_discard, user=request.user, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Submit a draft"),
        parameters=[REPORT_ID, PREFER],
        description=_(
            "The server sets `submitted_at`, routes the report and opens its clocks. "
            "Submitting again is harmless: 200 with the report."
        ),
        request=ReportSubmitInputSerializer,
        responses={
            200: ReportSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        serializer = ReportSubmitInputSerializer(data=request.data)
        if not serializer.is_valid():
            self.visible_or_404(pk)  # 404 before 400 (the service checks it too)
            raise ValidationError(serializer.errors)
        data = {
            k: v
            for k, v in serializer.validated_data.items()
            if k not in ("version", "involves_state_secrets")
        }
        report = call(
            report_submit,
            user=request.user,
            pk=pk,
            data=data,
            version=serializer.validated_data.get("version"),
            via=ReceivedVia.API,
            involves_state_secrets=serializer.validated_data.get("involves_state_secrets"),
        )
        return self.respond(report)

    # -----------------------------------------------------------------------------------
    # Operator: follow-ups, end of handling, summary report
    # -----------------------------------------------------------------------------------

    @action_schema(
        _("File a supplementary (补报) or progress (续报) report"),
        ReportFollowUpInputSerializer,
        description=_(
            "Allowed in any state but draft, after closure too. Items 3–8 and new grading "
            "information given here update the report; a follow-up answers every open request "
            "for information."
        ),
        created=FollowUpSerializer,
    )
    @action(detail=True, methods=["post"])
    def followups(self, request, pk=None):
        data = self.command_input(ReportFollowUpInputSerializer, pk)
        version = data.pop("version", None)
        followup = call(report_followup, user=request.user, pk=pk, data=data, version=version)
        return Response(FollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    # -----------------------------------------------------------------------------------
    # Evidence attachments
    # -----------------------------------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary=_("The report's evidence attachments"),
        parameters=[REPORT_ID],
        request=None,
        responses={200: AttachmentSerializer(many=True), 401: UNAUTHORIZED, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Attach evidence"),
        description=_(
            "Multipart upload (`file`, optional `followup`). The size is capped, the type is "
            "checked on the content against an allow-list, the name is sanitised, and the "
            "SHA-256 of the content is recorded. The operator's reporters add evidence; a "
            "service provider only to the drafts it wrote."
        ),
        parameters=[REPORT_ID],
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={
            201: AttachmentSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filter_backends=[],
    )
    def attachments(self, request, pk=None):
        self.visible_or_404(pk)
        if request.method == "GET":
            queryset = Attachment.objects.filter(report_id=pk).select_related("uploaded_by")
            return Response(AttachmentSerializer(queryset, many=True).data)
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = None
        followup_id = serializer.validated_data.get("followup")
        if followup_id is not None:
            followup = FollowUp.objects.filter(pk=followup_id, report_id=pk).first()
            if followup is None:
                raise ValidationError({"followup": [_("This report has no such follow-up.")]})
        attachment = call(
            attachment_add,
            user=request.user,
            pk=pk,
            upload=serializer.validated_data["file"],
            followup=followup,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="v1_reports_attachments_download",
        summary=_("Download an evidence attachment"),
        description=_("The file as uploaded, as a download (never rendered inline)."),
        parameters=[REPORT_ID, ATTACHMENT_ID],
        request=None,
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY)
                for content_type, _magic, _ext in EVIDENCE_TYPES
            },
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<aid>[0-9]+)",
        url_name="attachment-download",
        pagination_class=None,
        filter_backends=[],
        content_negotiation_class=FirstRendererNegotiation,
    )
    def attachment_download(self, request, pk=None, aid=None):
        attachment = attachment_get(user=request.user, report_pk=pk, pk=aid)
        return download_response(attachment.file, attachment.name, attachment.content_type)

    @action_schema(
        _("Record when handling ended"),
        ReportHandlingEndedInputSerializer,
        description=_("Opens the 30-day clock for the summary report (总结报告)."),
    )
    @action(detail=True, methods=["post"], url_path="handling-ended")
    def handling_ended(self, request, pk=None):
        data = self.command_input(ReportHandlingEndedInputSerializer, pk)
        report = call(report_handling_ended, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("File the summary report (总结报告)"),
        ReportSummaryInputSerializer,
        description=_("Once handling has ended; filed once."),
        created=SummaryReportSerializer,
    )
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        data = self.command_input(ReportSummaryInputSerializer, pk)
        version = data.pop("version", None)
        summary = call(report_summary, user=request.user, pk=pk, data=data, version=version)
        return Response(SummaryReportSerializer(summary).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary=_("Incident categories (GB/T 20986-2023 classes and sub-classes)"),
        responses={200: CategorySerializer(many=True), 401: UNAUTHORIZED},
    )
)
@extend_schema(tags=["categories"])
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("code")
    pagination_class = None
    filter_backends: list = []
