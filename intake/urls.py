from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("intake/reports/new/", views.RecordReportView.as_view(), name="record"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("inbox/<int:pk>/", views.InboxItemView.as_view(), name="item"),
    path("inbox/<int:pk>/report/", views.InboxItemReportView.as_view(), name="item_report"),
    path("inbox/<int:pk>/files/<int:fid>/", views.InboxFileView.as_view(), name="item_file"),
    path("inbox/<int:pk>/<slug:action>/", views.InboxItemActionView.as_view(), name="item_action"),
]
