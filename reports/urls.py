from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportListView.as_view(), name="list"),
    path("reports/new/", views.ReportNewView.as_view(), name="new"),
    path(
        "reports/new/confidential/",
        views.ConfidentialChannelView.as_view(),
        name="confidential",
    ),
    path("reports/new/draft/", views.NewDraftView.as_view(), name="draft_new"),
    path(
        "reports/new/draft/autosave/",
        views.NewDraftAutosaveView.as_view(),
        name="draft_new_autosave",
    ),
    path("reports/grading-preview/", views.GradingPreviewView.as_view(), name="grading_preview"),
    path("reports/<int:pk>/edit/", views.ReportEditView.as_view(), name="edit"),
    path(
        "reports/<int:pk>/state-secrets/",
        views.RequiredDraftSecretsView.as_view(),
        name="state_secrets",
    ),
    path("reports/<int:pk>/autosave/", views.AutosaveView.as_view(), name="autosave"),
    path("reports/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("reports/<int:pk>/discard/", views.DiscardView.as_view(), name="discard"),
    path("reports/<int:pk>/receipt.pdf", views.ReceiptPdfView.as_view(), name="receipt"),
    path(
        "reports/<int:pk>/attachments/<int:aid>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
]
