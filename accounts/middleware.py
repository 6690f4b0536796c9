from django.shortcuts import redirect
from django.urls import reverse

from .otp import is_verified, requires_second_factor

EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/health/", "/api/", "/tipoff/")


class RequireSecondFactorMiddleware:
    """Session users who need two-factor login reach nothing but the two-factor pages (and
    logout) until they have verified a second factor in this session. The API has its own
    check (token issuance asks for `otp`; see accounts.permissions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path_info
        if (
            user is not None
            and user.is_authenticated
            and not path.startswith(EXEMPT_PREFIXES)
            and requires_second_factor(user)
            and not is_verified(user)
        ):
            return redirect(f"{reverse('two-factor')}?next={request.get_full_path()}")
        return self.get_response(request)
