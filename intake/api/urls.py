"""`/api/v1/intake/…` routes (mounted by config/urls.py)."""

from rest_framework.routers import SimpleRouter

from .views import InboxViewSet, IntakeReportViewSet

app_name = "intake-api"

router = SimpleRouter()
router.register("intake/reports", IntakeReportViewSet, basename="report")
router.register("inbox", InboxViewSet, basename="inbox")

urlpatterns = router.urls
