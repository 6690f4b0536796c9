"""Two-factor login (TOTP, with recovery codes), mandatory for authority accounts and admins,
optional for operators (once they confirm a device, it is required for them too)."""

import base64
import secrets

from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuthEvent
from .services import auth_event, is_authority_staff

RECOVERY_CODES = 10


def totp_key_base32(device: TOTPDevice) -> str:
    """The key as authenticator apps take it (base32, no padding)."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def requires_second_factor(user) -> bool:
    return is_authority_staff(user) or user_has_device(user, confirmed=True)


def is_verified(user) -> bool:
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def pending_totp_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp_device(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code; returns fresh recovery codes (shown once), or
    None when the code is wrong."""
    if not device.verify_token((token or "").strip()):
        auth_event(AuthEvent.Kind.OTP_FAILED, user=request.user, request=request)
        return None
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=request.user).delete()
    static = StaticDevice.objects.create(user=request.user, name="recovery codes")
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    otp_login(request, device)
    auth_event(AuthEvent.Kind.OTP_CONFIRMED, user=request.user, request=request)
    return codes


def verify_second_factor(request, token: str) -> bool:
    device = match_token(request.user, (token or "").replace(" ", "").strip())
    if device is None:
        auth_event(AuthEvent.Kind.OTP_FAILED, user=request.user, request=request)
        return False
    otp_login(request, device)
    auth_event(AuthEvent.Kind.OTP_VERIFIED, user=request.user, request=request)
    return True


def check_token_otp(user, token: str | None) -> bool:
    """For API token issuance: accounts with two-factor login must send a valid `otp`."""
    if not requires_second_factor(user):
        return True
    return bool(token) and match_token(user, str(token).strip()) is not None
