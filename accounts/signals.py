"""Authentication audit. Django's and django-axes's own signals are the only way to see
every login path (admin, pages, API), so receivers here write the audit rows; business
logic never hangs on signals (docs/ARCHITECTURE.md, "Conventions")."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuthEvent
from .services import auth_event


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    auth_event(AuthEvent.Kind.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        auth_event(AuthEvent.Kind.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    auth_event(
        AuthEvent.Kind.LOGIN_FAILED, username=credentials.get("username", ""), request=request
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    auth_event(AuthEvent.Kind.LOCKED_OUT, username=username or "", request=request)
