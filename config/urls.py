from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import provider_views
from accounts import views as accounts_views
from escalation import views as escalation_views
from reports.views import HomeView

from .landing import landing

# The admin under the portal's name (not "Django 管理").
admin.site.site_header = _("Cybersecurity Incident Reporting Portal · Administration")
admin.site.site_title = _("Cybersecurity Incident Reporting Portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", escalation_views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/2fa/", accounts_views.TwoFactorView.as_view(), name="two-factor"),
    # password recovery by e-mail (under /accounts/: no login) and password change (not under
    # /accounts/, so an account with two-factor login changes it only once verified):
    # Django's views, the portal's templates
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", accounts_views.ProfileView.as_view(), name="profile"),
    path(
        "profile/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "profile/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("organisation/providers/", provider_views.ProvidersView.as_view(), name="providers"),
    path(
        "organisation/providers/<int:pk>/revoke/",
        provider_views.ProviderRevokeView.as_view(),
        name="provider_revoke",
    ),
    path("", HomeView.as_view(), name="home"),
    path("start/", landing, name="landing"),
    # browsers ask for /favicon.ico whatever the page says
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg")), name="favicon"),
    path("", include("reports.urls")),
    path("", include("review.urls")),
    path("", include("tipoffs.urls")),
    path("", include("intake.urls")),  # the public form needs no login (Art. 6)
    path("", include("notifications.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/v1/", include("review.api.urls")),
    path("api/v1/", include("intake.api.urls")),
    path("api/v1/", include("notifications.api.urls")),
    path("api/v1/", include("dashboard.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its script from a URL: no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

# Every error page in the portal's layout and language, with its reason (JSON under /api/).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
