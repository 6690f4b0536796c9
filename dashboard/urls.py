from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("export/<slug:table>.<slug:fmt>", views.ExportView.as_view(), name="export"),
]
