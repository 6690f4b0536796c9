from django.urls import path

from .views import queues, report, require

app_name = "review"

urlpatterns = [
    path("queue/", queues.ReviewQueueView.as_view(), name="queue"),
    path("national/", queues.NationalQueueView.as_view(), name="national_queue"),
    path("reports/require/", require.RequireReportView.as_view(), name="require"),
    path(
        "reports/require/organizations/",
        require.OrganizationSearchView.as_view(),
        name="organization_search",
    ),
    path("reports/<int:pk>/", report.ReportPageView.as_view(), name="report"),
    path(
        "reports/<int:pk>/actions/<slug:action>/", report.ReportActionView.as_view(), name="action"
    ),
    path(
        "reports/<int:pk>/attachments/",
        report.AttachmentUploadView.as_view(),
        name="attachment_add",
    ),
]
