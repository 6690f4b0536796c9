"""`/api/v1/auth/` (mounted by config/urls.py)."""

from django.urls import path

from .views import TokenObtainView

app_name = "accounts-api"

urlpatterns = [path("auth/token/", TokenObtainView.as_view(), name="token")]
