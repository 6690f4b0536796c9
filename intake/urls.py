from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("intake/reports/new/", views.RecordReportView.as_view(), name="record"),
]
