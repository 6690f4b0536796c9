from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import StrictInputSerializer


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))
    expires_at = serializers.DateTimeField(
        help_text=_("After this instant the token is refused (401): obtain a new one.")
    )


class TokenInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=12,
        help_text=_("One-time code, for accounts with two-factor login."),
    )
