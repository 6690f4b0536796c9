"""API v1 views (STYLE.md B4). Reads go through the selectors (`visible_to` underneath);
every write calls a service. Domain errors become HTTP codes in `config.api`."""

from django.contrib.auth import authenticate
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import AuthEvent, Membership
from accounts.otp import check_token_otp
from accounts.services import auth_event

from .. import services
from ..evidence_views import evidence_response
from ..filters import NotificationFilterSet, ReportFilterSet
from ..models import Attachment, Category, FollowUp, InfoRequest, Report, ReportEvent
from ..selectors import report_list
from .serializers import (
    AttachmentInputSerializer,
    AttachmentSerializer,
    CategorySerializer,
    ErrorSerializer,
    FollowUpSerializer,
    NotificationSerializer,
    NotificationsReadInputSerializer,
    NotificationsReadSerializer,
    RansomwareInputSerializer,
    ReportAcknowledgeInputSerializer,
    ReportAssignInputSerializer,
    ReportClaimInputSerializer,
    ReportCloseInputSerializer,
    ReportCreateInputSerializer,
    ReportFollowUpInputSerializer,
    ReportForwardInputSerializer,
    ReportGradeInputSerializer,
    ReportHandlingEndedInputSerializer,
    ReportNotifyInputSerializer,
    ReportRequestInfoInputSerializer,
    ReportSerializer,
    ReportSubmitInputSerializer,
    ReportSummaryInputSerializer,
    ReportUpdateInputSerializer,
    RequiredReportInputSerializer,
    SummaryReportSerializer,
    TokenInputSerializer,
    TokenSerializer,
    notification_model,
)

IDEMPOTENCY_KEY_MAX = 200  # reports.models.IdempotencyKey.key

BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_("Bad input: field-level messages, `{field: [message, …]}`. Nothing is written."),
)
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
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description=_("Not authenticated."))
NO_SUCH_PAGE = OpenApiResponse(ErrorSerializer, description=_("No such page."))

_RANSOM_KEYS = {column: key for key, column in RansomwareInputSerializer.COLUMNS.items()}


def _api_errors(exc: DjangoValidationError) -> ValidationError:
    """A service's field errors, named as the API names the fields: the ransom_* columns
    appear under `ransomware`, and model-wide errors under `non_field_errors`."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)})
    detail: dict = {}
    for field, messages in exc.message_dict.items():
        if field in _RANSOM_KEYS:
            detail.setdefault("ransomware", {})[_RANSOM_KEYS[field]] = messages
        elif field == NON_FIELD_ERRORS:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            detail[field] = messages
    return ValidationError(detail)


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise _api_errors(exc) from exc


def _action_schema(summary, request, *, description=None, created=None):
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


class IsReporter(permissions.BasePermission):
    """Only an operator's reporters, and the service providers they granted the right to
    draft (Art. 5), create drafts (an authority's staff get 403). Only reporters submit:
    the service refuses a provider."""

    message = _("Only an operator's reporters can file reports.")

    def has_permission(self, request, view) -> bool:
        return Membership.objects.filter(
            user=request.user, role__in=services.DRAFTING_ROLES
        ).exists()


class IsAuthorityStaff(permissions.BasePermission):
    """Only receiving reviewers and national officials require reports (others get 403)."""

    message = _("Only receiving reviewers and national officials can do this.")

    def has_permission(self, request, view) -> bool:
        return Membership.objects.filter(
            user=request.user,
            role__in=[Membership.Role.REVIEWER, Membership.Role.NATIONAL_OFFICIAL],
        ).exists()


@extend_schema(tags=["auth"])
class TokenObtainView(APIView):
    """`POST /api/v1/auth/token/`: username and password → an API token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Obtain an API token"),
        request=TokenInputSerializer,
        responses={200: TokenSerializer, 400: BAD_REQUEST},
        auth=[],
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError({"password": [_("Wrong username or password.")]})
        if not check_token_otp(user, serializer.validated_data.get("otp")):
            auth_event(AuthEvent.Kind.OTP_FAILED, user=user, request=request)
            raise ValidationError(
                {"otp": [_("This account uses two-factor login: send a valid one-time code.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        auth_event(AuthEvent.Kind.TOKEN_ISSUED, user=user, request=request)
        return Response(TokenSerializer({"token": token.key}).data)


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


def _timeline_prefetch(queryset):
    """Everything ReportSerializer reads, in a fixed number of queries whatever the page."""
    return queryset.select_related("assignee", "forwarding", "summary__filed_by").prefetch_related(
        "deadlines",
        Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        Prefetch("followups", queryset=FollowUp.objects.select_related("created_by")),
        Prefetch(
            "info_requests",
            queryset=InfoRequest.objects.select_related("authority", "requested_by"),
        ),
        Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
    )


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
class ReportViewSet(viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    parser_classes = [JSONParser]
    filterset_class = ReportFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Report.objects.none()
        return _timeline_prefetch(report_list(user=self.request.user)).order_by(
            "-created_at", "-pk"
        )

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), IsReporter()]
        return super().get_permissions()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        return context

    def _output(self, pk, *, status_code=status.HTTP_200_OK) -> Response:
        report = _timeline_prefetch(report_list(user=self.request.user)).filter(pk=pk).first()
        if report is None:
            raise Http404
        return Response(self.get_serializer(report).data, status=status_code)

    def _command_input(self, serializer_class, pk) -> dict:
        """404 if the report is not visible, then 400 for bad input; the validated data."""
        self._visible_or_404(pk)
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _visible_or_404(self, pk) -> None:
        """Not visible = 404 before anything else, whatever the body says."""
        if not report_list(user=self.request.user).filter(pk=pk).exists():
            raise Http404

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._output(pk)

    @extend_schema(
        summary=_("Create a draft"),
        request=ReportCreateInputSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_(
                    "Retrying with the same key returns the report the first request made "
                    "(200 instead of 201)."
                ),
            )
        ],
        responses={
            201: ReportSerializer,
            200: OpenApiResponse(
                ReportSerializer, description=_("A retry with a known Idempotency-Key.")
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
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
        report, created = _call(
            services.report_create_idempotent,
            user=request.user,
            data=serializer.service_data(),
            organization=serializer.validated_data.get("organization"),
            idempotency_key=key,
        )
        return self._output(
            report.pk, status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(
        summary=_("Edit a draft"),
        parameters=[REPORT_ID],
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
        self._visible_or_404(pk)
        serializer = ReportUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _call(
            services.report_update,
            user=request.user,
            pk=pk,
            data=serializer.service_data(),
            version=serializer.validated_data["version"],
        )
        return self._output(report.pk)

    @extend_schema(
        summary=_("Submit a draft"),
        parameters=[REPORT_ID],
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
        self._visible_or_404(pk)
        serializer = ReportSubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        report = _call(
            services.report_submit,
            user=request.user,
            pk=pk,
            data=data,
            version=serializer.validated_data.get("version"),
        )
        return self._output(report.pk)

    # -----------------------------------------------------------------------------------
    # Operator: follow-ups, end of handling, summary report
    # -----------------------------------------------------------------------------------

    @_action_schema(
        _("File a supplementary (补报) or progress (续报) report"),
        ReportFollowUpInputSerializer,
        description=_(
            "Allowed in any state but draft and closed. Items 3–8 and new grading information "
            "given here update the report; a follow-up answers every open request for "
            "information."
        ),
        created=FollowUpSerializer,
    )
    @action(detail=True, methods=["post"])
    def followups(self, request, pk=None):
        data = self._command_input(ReportFollowUpInputSerializer, pk)
        version = data.pop("version", None)
        followup = _call(
            services.report_followup, user=request.user, pk=pk, data=data, version=version
        )
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
        self._visible_or_404(pk)
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
        attachment = _call(
            services.attachment_add,
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
                for content_type, _magic, _ext in services.EVIDENCE_TYPES
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
        attachment = services.attachment_get(user=request.user, report_pk=pk, pk=aid)
        return evidence_response(attachment)

    @_action_schema(
        _("Record when handling ended"),
        ReportHandlingEndedInputSerializer,
        description=_("Opens the 30-day clock for the summary report (总结报告)."),
    )
    @action(detail=True, methods=["post"], url_path="handling-ended")
    def handling_ended(self, request, pk=None):
        data = self._command_input(ReportHandlingEndedInputSerializer, pk)
        report = _call(services.report_handling_ended, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("File the summary report (总结报告)"),
        ReportSummaryInputSerializer,
        description=_("Once handling has ended; filed once."),
        created=SummaryReportSerializer,
    )
    @action(detail=True, methods=["post"])
    def summary(self, request, pk=None):
        data = self._command_input(ReportSummaryInputSerializer, pk)
        version = data.pop("version", None)
        summary = _call(
            services.report_summary, user=request.user, pk=pk, data=data, version=version
        )
        return Response(SummaryReportSerializer(summary).data, status=status.HTTP_201_CREATED)

    # -----------------------------------------------------------------------------------
    # Receiving reviewers and national officials
    # -----------------------------------------------------------------------------------

    @_action_schema(
        _("Claim a submitted report"),
        ReportClaimInputSerializer,
        description=_("A reviewer of the receiving authority takes the report into review."),
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        data = self._command_input(ReportClaimInputSerializer, pk)
        report = _call(services.report_claim, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Assign the report to a colleague"),
        ReportAssignInputSerializer,
        description=_("To a colleague at the authority that holds the report."),
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self._command_input(ReportAssignInputSerializer, pk)
        assignee = data.pop("user")
        report = _call(services.report_assign, user=request.user, pk=pk, assignee=assignee, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Acknowledge the report"),
        ReportAcknowledgeInputSerializer,
        description=_(
            "The national tier takes a forwarded report into review; a public-security "
            "liaison records that it has read a copy."
        ),
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = self._command_input(ReportAcknowledgeInputSerializer, pk)
        report = _call(services.report_acknowledge, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Grade the report"),
        ReportGradeInputSerializer,
        description=_(
            "The reviewer's level replaces the declared and suggested ones for the clocks: "
            "graded major or above, the forward clock opens; graded below, it closes."
        ),
    )
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        data = self._command_input(ReportGradeInputSerializer, pk)
        report = _call(services.report_grade, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Ask the operator for more information"),
        ReportRequestInfoInputSerializer,
        description=_(
            "The report waits for the operator; a `due_at` opens a clock, met by the "
            "operator's next follow-up."
        ),
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        data = self._command_input(ReportRequestInfoInputSerializer, pk)
        info_request = _call(services.report_request_info, user=request.user, pk=pk, **data)
        return self._output(info_request.report_id)

    @_action_schema(
        _("Forward the report to the national tier"),
        ReportForwardInputSerializer,
        description=_("Major and especially major reports only; at most once."),
    )
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        data = self._command_input(ReportForwardInputSerializer, pk)
        report = _call(services.report_forward, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Record the departments notified (通报)"),
        ReportNotifyInputSerializer,
        description=_(
            "The receiving tier records same-level departments or public security; the "
            "national tier, the relevant departments."
        ),
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        data = self._command_input(ReportNotifyInputSerializer, pk)
        report = _call(services.report_notify, user=request.user, pk=pk, **data)
        return self._output(report.pk)

    @_action_schema(
        _("Close the report"),
        ReportCloseInputSerializer,
        description=_(
            "A major or especially major report is closed at the national tier, after it "
            "was forwarded."
        ),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self._command_input(ReportCloseInputSerializer, pk)
        report = _call(services.report_close, user=request.user, pk=pk, **data)
        return self._output(report.pk)


@extend_schema(tags=["reports"])
class RequiredReportViewSet(viewsets.GenericViewSet):
    """`POST /api/v1/required-reports/`: an authority requires an operator to report an
    incident it learned of elsewhere."""

    serializer_class = ReportSerializer
    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Report.objects.none()  # create only; reading goes through /reports/

    def get_permissions(self):
        return [permissions.IsAuthenticated(), IsAuthorityStaff()]

    @extend_schema(
        summary=_("Require an operator to report an incident"),
        description=_(
            "Creates a draft for the organisation; its filing clock runs from now. If it is "
            "not submitted in time, it is recorded as a missed report (漏报)."
        ),
        request=RequiredReportInputSerializer,
        responses={201: ReportSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN},
    )
    def create(self, request):
        serializer = RequiredReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _call(services.report_require, user=request.user, **serializer.validated_data)
        output = _timeline_prefetch(report_list(user=request.user)).get(pk=report.pk)
        return Response(
            ReportSerializer(output, context={"now": timezone.now()}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary=_("Your notifications, newest first"),
        responses={
            200: NotificationSerializer(many=True),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NO_SUCH_PAGE,
        },
    )
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (the bell); `unread=true` for the unread ones."""

    serializer_class = NotificationSerializer
    parser_classes = [JSONParser]
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return notification_model().objects.none()
        return self.request.user.notifications.select_related("report").order_by(
            "-created_at", "-pk"
        )

    @extend_schema(
        summary=_("Mark notifications read"),
        description=_("The ones named in `ids`, or all of yours when `ids` is left out."),
        request=NotificationsReadInputSerializer,
        responses={200: NotificationsReadSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request):
        from escalation.services import notifications_mark_read

        serializer = NotificationsReadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = _call(
            notifications_mark_read, user=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response(NotificationsReadSerializer({"updated": updated}).data)


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
