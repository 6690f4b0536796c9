"""`/api/v1/intake/…`: the 12387 service's intake officers (and a front end such as a
WeChat mini-program back end, with an intake officer's token) record reports received by
telephone, e-mail, fax or WeChat; the inbox of e-mail and fax."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.roles import roles_of
from core.api import BAD_REQUEST, NO_SUCH_PAGE, UNAUTHORIZED
from reports.api.base import CONFLICT, FORBIDDEN, NOT_FOUND, call, timeline_prefetch
from reports.api.serializers import ReportSerializer
from reports.models import Report
from reports.selectors import report_list

from ..models import InboxItem
from ..services.inbox import (
    inbox_item_add,
    inbox_item_dismiss,
    inbox_item_get,
    inbox_item_report,
    inbox_items,
)
from ..services.recording import intake_report_record
from .filters import InboxFilterSet
from .inputs import (
    InboxAddInputSerializer,
    InboxDismissInputSerializer,
    InboxReportInputSerializer,
    IntakeReportInputSerializer,
)
from .serializers import InboxItemSerializer


def _triage_schema(summary, request):
    """A triage command that answers with the inbox item."""
    return extend_schema(
        summary=summary,
        request=request,
        responses={
            200: InboxItemSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )


class IsIntakeOfficer(permissions.BasePermission):
    message = _("Only the 12387 service's intake officers can do this.")

    def has_permission(self, request, view) -> bool:
        return roles_of(request.user).is_intake_officer


def report_output(request, report, *, status_code) -> Response:
    output = timeline_prefetch(report_list(user=request.user)).get(pk=report.pk)
    context = {"now": timezone.now(), "request": request}
    return Response(ReportSerializer(output, context=context).data, status=status_code)


@extend_schema(tags=["intake"])
class IntakeReportViewSet(viewsets.GenericViewSet):
    # `POST /api/v1/intake/reports/` (a comment: a docstring would be published)

    serializer_class = ReportSerializer
    parser_classes = [JSONParser]
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        return Report.objects.none()  # create only; reading goes through /reports/

    def get_permissions(self):
        return [permissions.IsAuthenticated(), IsIntakeOfficer()]

    @extend_schema(
        summary=_("Record a report received by telephone, e-mail, fax or WeChat"),
        description=_(
            "Submitted on receipt for the organisation named by `organization_code` (created "
            "with `organization_name`, `organization_province` and optional "
            "`organization_sector` when the code is new and its check digit passes). It "
            "routes like any report; the filing clock is judged on `received_at`."
        ),
        request=IntakeReportInputSerializer,
        responses={201: ReportSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED, 403: FORBIDDEN},
    )
    def create(self, request):
        serializer = IntakeReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = call(intake_report_record, user=request.user, **serializer.service_kwargs())
        return report_output(request, report, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["intake"])
class InboxViewSet(viewsets.ReadOnlyModelViewSet):
    # `GET /api/v1/inbox/`, `GET /api/v1/inbox/{id}/` and the triage commands

    serializer_class = InboxItemSerializer
    filterset_class = InboxFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_permissions(self):
        return [permissions.IsAuthenticated(), IsIntakeOfficer()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InboxItem.objects.none()
        return (
            inbox_items(user=self.request.user)
            .prefetch_related("files")
            .order_by("-received_at", "-pk")
        )

    @extend_schema(
        summary=_("The 12387 inbox: e-mail and fax to triage"),
        responses={
            200: InboxItemSerializer(many=True),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NO_SUCH_PAGE,
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("One inbox item"),
        responses={200: InboxItemSerializer, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    def _item(self, pk) -> Response:
        item = self.get_queryset().get(pk=pk)
        return Response(InboxItemSerializer(item).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer

    @extend_schema(
        summary=_("Turn the message into a report"),
        description=_(
            "As `POST /api/v1/intake/reports/`; the route defaults to the message's (`email` "
            "or `fax`), `received_at` to its arrival, the caller to its sender. The message "
            "and its attachments join the new report."
        ),
        request=InboxReportInputSerializer,
        responses={
            201: ReportSerializer,
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def report(self, request, pk=None):
        inbox_item_get(user=request.user, pk=pk)  # 404 first
        serializer = self._input(InboxReportInputSerializer)
        report = call(inbox_item_report, user=request.user, pk=pk, **serializer.service_kwargs())
        return report_output(request, report, status_code=status.HTTP_201_CREATED)

    @_triage_schema(_("Add the message to an existing report"), InboxAddInputSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def add(self, request, pk=None):
        inbox_item_get(user=request.user, pk=pk)
        serializer = self._input(InboxAddInputSerializer)
        call(inbox_item_add, user=request.user, pk=pk, **serializer.validated_data)
        return self._item(pk)

    @_triage_schema(_("Dismiss the message with a reason"), InboxDismissInputSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def dismiss(self, request, pk=None):
        inbox_item_get(user=request.user, pk=pk)
        serializer = self._input(InboxDismissInputSerializer)
        call(inbox_item_dismiss, user=request.user, pk=pk, **serializer.validated_data)
        return self._item(pk)
