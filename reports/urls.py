from django.urls import path

from . import evidence_views, review_views, tipoff_views, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="list"),
    path("reports/new/", views.ReportNewView.as_view(), name="new"),
    path(
        "reports/new/confidential/",
        views.ConfidentialChannelView.as_view(),
        name="confidential",
    ),
    path("reports/grading-preview/", views.GradingPreviewView.as_view(), name="grading_preview"),
    path("reports/require/", review_views.RequireReportView.as_view(), name="require"),
    path(
        "reports/require/organizations/",
        review_views.OrganizationSearchView.as_view(),
        name="organization_search",
    ),
    path("reports/<int:pk>/", review_views.ReportPageView.as_view(), name="detail"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="edit"),
    path("reports/<int:pk>/autosave/", views.AutosaveView.as_view(), name="autosave"),
    path("reports/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path(
        "reports/<int:pk>/actions/<slug:action>/",
        review_views.ReportActionView.as_view(),
        name="action",
    ),
    path(
        "reports/<int:pk>/attachments/",
        evidence_views.AttachmentUploadView.as_view(),
        name="attachment_add",
    ),
    path(
        "reports/<int:pk>/attachments/<int:aid>/",
        evidence_views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path("tipoffs/", tipoff_views.TipOffQueueView.as_view(), name="tipoffs"),
    path("tipoffs/<int:pk>/", tipoff_views.TipOffDetailView.as_view(), name="tipoff"),
    path("queue/", review_views.ReviewQueueView.as_view(), name="queue"),
    path("national/", review_views.NationalQueueView.as_view(), name="national_queue"),
    path("notifications/", review_views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read/",
        review_views.NotificationsMarkReadView.as_view(),
        name="notifications_read",
    ),
]
