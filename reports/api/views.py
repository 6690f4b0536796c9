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
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import Membership

from .. import services
from ..filters import ReportFilterSet
from ..models import Category, IdempotencyKey, Report, ReportEvent
from ..selectors import report_get, report_list
from .serializers import (
    CategorySerializer,
    ErrorSerializer,
    RansomwareInputSerializer,
    ReportCreateInputSerializer,
    ReportSerializer,
    ReportSubmitInputSerializer,
    ReportUpdateInputSerializer,
    TokenInputSerializer,
    TokenSerializer,
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


class IsReporter(permissions.BasePermission):
    """Only an operator's reporters file reports (an authority's staff get 403)."""

    message = _("Only an operator's reporters can file reports.")

    def has_permission(self, request, view) -> bool:
        return Membership.objects.filter(user=request.user, role=Membership.Role.REPORTER).exists()


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
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


def _timeline_prefetch(queryset):
    return queryset.prefetch_related(
        "deadlines", Prefetch("events", queryset=ReportEvent.objects.select_related("actor"))
    )


@extend_schema_view(
    list=extend_schema(
        summary=_("List the reports you may see"),
        responses={200: ReportSerializer(many=True), 400: BAD_REQUEST, 401: UNAUTHORIZED},
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
        report = report_get(user=self.request.user, pk=pk)
        return Response(self.get_serializer(report).data, status=status_code)

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
        seen = (
            key is not None and IdempotencyKey.objects.filter(user=request.user, key=key).exists()
        )
        report = _call(
            services.report_create,
            user=request.user,
            data=serializer.service_data(),
            organization=serializer.validated_data.get("organization"),
            idempotency_key=key,
        )
        return self._output(
            report.pk, status_code=status.HTTP_200_OK if seen else status.HTTP_201_CREATED
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
