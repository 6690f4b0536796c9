"""`/api/v1/stats/…` (mounted by config/urls.py)."""

from django.urls import path

from . import views

app_name = "dashboard-api"

urlpatterns = [
    path("stats/summary/", views.SummaryView.as_view(), name="summary"),
    path("stats/trend/", views.TrendView.as_view(), name="trend"),
    path("stats/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("stats/late-operators/", views.LateOperatorsView.as_view(), name="late-operators"),
    path("stats/watchlist/", views.WatchlistView.as_view(), name="watchlist"),
    path("stats/health/", views.HealthView.as_view(), name="health"),
]
