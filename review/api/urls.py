"""`/api/v1/` routes of the review side (mounted by config/urls.py): the authorities'
commands on `reports/{id}/…` (the same URLs as the intake side's reports) and
`required-reports/`."""

from rest_framework.routers import SimpleRouter

from .views import ReportReviewViewSet, RequiredReportViewSet

app_name = "review-api"

router = SimpleRouter()
router.register("reports", ReportReviewViewSet, basename="report")
router.register("required-reports", RequiredReportViewSet, basename="required-report")

urlpatterns = router.urls
