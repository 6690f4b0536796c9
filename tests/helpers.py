"""Shared test helpers."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.demo import demo_totp_device
from accounts.otp import requires_second_factor


def login(client: Client, user, *, verified: bool = True) -> Client:
    """Log the client in as `user`; for accounts with two-factor login, as after a correct
    code on the two-factor page (unless `verified=False`)."""
    client.force_login(user)
    if verified and requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = demo_totp_device(user).persistent_id
        session.save()
    return client
