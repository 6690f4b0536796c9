"""API v1 views of the review side: the authorities' commands on `/api/v1/reports/{id}/…`
(claim, assign, acknowledge, grade, request-info, forward, notify, close) and requiring a
report (`/api/v1/required-reports/`). Every write calls a service; the answer is the report
as the caller sees it."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import roles_of
from core.api import BAD_REQUEST, UNAUTHORIZED, JSONParser
from reports.api.base import (
    FORBIDDEN,
    ReportCommandsViewSet,
    action_schema,
    call,
    timeline_prefetch,
)
from reports.api.serializers import ReportSerializer
from reports.models import Report
from reports.selectors import report_list

from ..services.findings import report_record_finding
from ..services.forwarding import report_forward, report_notify
from ..services.requests import report_request_info, report_require
from ..services.triage import (
    report_acknowledge,
    report_assign,
    report_claim,
    report_close,
    report_grade,
)
from .inputs import (
    ReportAcknowledgeInputSerializer,
    ReportAssignInputSerializer,
    ReportClaimInputSerializer,
    ReportCloseInputSerializer,
    ReportFindingInputSerializer,
    ReportForwardInputSerializer,
    ReportGradeInputSerializer,
    ReportNotifyInputSerializer,
    ReportRequestInfoInputSerializer,
    RequiredReportInputSerializer,
)


class IsAuthorityStaff(permissions.BasePermission):
    """Only receiving reviewers and national officials require reports (others get 403)."""

    message = _("Only receiving reviewers and national officials can do this.")

    def has_permission(self, request, view) -> bool:
        return roles_of(request.user).can_require


@extend_schema(tags=["reports"])
class ReportReviewViewSet(ReportCommandsViewSet):
    # The authorities' commands on a report (no list or detail here: those are the intake
    # side's `ReportViewSet`, on the same URLs).

    parser_classes = [JSONParser]

    @action_schema(
        _("Claim a submitted report"),
        ReportClaimInputSerializer,
        description=_("A reviewer of the receiving authority takes the report into review."),
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        data = self.command_input(ReportClaimInputSerializer, pk)
        report = call(report_claim, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Assign the report to a colleague"),
        ReportAssignInputSerializer,
        description=_("To a colleague at the authority that holds the report."),
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = self.command_input(ReportAssignInputSerializer, pk)
        assignee = data.pop("user")
        report = call(report_assign, user=request.user, pk=pk, assignee=assignee, **data)
        return self.output(report.pk)

    @action_schema(
        _("Acknowledge the report"),
        ReportAcknowledgeInputSerializer,
        description=_(
            "The national tier takes a forwarded report into review; a public-security "
            "liaison records that it has read a copy."
        ),
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = self.command_input(ReportAcknowledgeInputSerializer, pk)
        report = call(report_acknowledge, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Grade the report"),
        ReportGradeInputSerializer,
        description=_(
            "The reviewer's level replaces the declared and suggested ones for the clocks: "
            "graded major or above, the forward clock opens; graded below, it closes."
        ),
    )
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        data = self.command_input(ReportGradeInputSerializer, pk)
        report = call(report_grade, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Ask the operator for more information"),
        ReportRequestInfoInputSerializer,
        description=_(
            "The report waits for the operator; a `due_at` opens a clock, met by the "
            "operator's next follow-up."
        ),
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        data = self.command_input(ReportRequestInfoInputSerializer, pk)
        info_request = call(report_request_info, user=request.user, pk=pk, **data)
        return self.output(info_request.report_id)

    @action_schema(
        _("Forward the report to the national tier"),
        ReportForwardInputSerializer,
        description=_("Major and especially major reports only; at most once."),
    )
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        data = self.command_input(ReportForwardInputSerializer, pk)
        report = call(report_forward, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Record the departments notified (通报)"),
        ReportNotifyInputSerializer,
        description=_(
            "The receiving tier records same-level departments or public security; the "
            "national tier, the relevant departments."
        ),
    )
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        data = self.command_input(ReportNotifyInputSerializer, pk)
        report = call(report_notify, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Close the report"),
        ReportCloseInputSerializer,
        description=_(
            "A major or especially major report is closed at the national tier, after it "
            "was forwarded."
        ),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = self.command_input(ReportCloseInputSerializer, pk)
        report = call(report_close, user=request.user, pk=pk, **data)
        return self.output(report.pk)

    @action_schema(
        _("Record a finding of late, missed, false or concealed reporting"),
        ReportFindingInputSerializer,
        description=_(
            "Art. 10: a receiving reviewer or a national official records a finding (迟报, "
            "漏报, 谎报, 瞒报) with its reason, at any time after submission. It is shown on "
            "the report, in its history and timeline, and counted in the compliance figures."
        ),
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        data = self.command_input(ReportFindingInputSerializer, pk)
        call(report_record_finding, user=request.user, pk=pk, **data)
        return self.output(pk)


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
        report = call(report_require, user=request.user, **serializer.validated_data)
        output = timeline_prefetch(report_list(user=request.user)).get(pk=report.pk)
        context = {"now": timezone.now(), "request": request}
        return Response(
            ReportSerializer(output, context=context).data, status=status.HTTP_201_CREATED
        )
