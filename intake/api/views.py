"""`/api/v1/intake/…`: the 12387 service's intake officers (and a front end such as a
WeChat mini-program back end, with an intake officer's token) record reports received by
telephone, e-mail, fax or WeChat; the inbox of e-mail and fax."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.roles import roles_of
from core.api import BAD_REQUEST, UNAUTHORIZED
from reports.api.base import FORBIDDEN, call, timeline_prefetch
from reports.api.serializers import ReportSerializer
from reports.models import Report
from reports.selectors import report_list

from ..services.recording import intake_report_record
from .inputs import IntakeReportInputSerializer


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
