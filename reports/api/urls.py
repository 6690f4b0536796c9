"""`/api/v1/` routes of the reports app (mounted by config/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CategoryViewSet,
    NotificationViewSet,
    ReportViewSet,
    RequiredReportViewSet,
    TokenObtainView,
)

app_name = "reports-api"

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("categories", CategoryViewSet, basename="category")
router.register("required-reports", RequiredReportViewSet, basename="required-report")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token"),
    *router.urls,
]
