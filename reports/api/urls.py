"""`/api/v1/` routes of the intake side (mounted by config/urls.py)."""

from rest_framework.routers import SimpleRouter

from .views import CategoryViewSet, ReportViewSet

app_name = "reports-api"

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
router.register("categories", CategoryViewSet, basename="category")

urlpatterns = router.urls
