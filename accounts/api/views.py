from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import BAD_REQUEST, JSONParser

from ..authentication import token_expired, token_expires_at
from ..models import AuthEvent
from ..otp import check_token_otp
from ..services import auth_event
from .serializers import TokenInputSerializer, TokenSerializer


@extend_schema(tags=["auth"])
class TokenObtainView(APIView):
    """`POST /api/v1/auth/token/`: username and password → an API token."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="auth_token_create",
        summary=_("Obtain an API token"),
        request=TokenInputSerializer,
        responses={200: TokenSerializer, 400: BAD_REQUEST},
        auth=[],
    )
    def post(self, request):
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError({"password": [_("Wrong username or password.")]})
        if not check_token_otp(user, serializer.validated_data.get("otp")):
            auth_event(AuthEvent.Kind.OTP_FAILED, user=user, request=request)
            raise ValidationError(
                {"otp": [_("This account uses two-factor login: send a valid one-time code.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):  # rotate: the old key stops working for good
            token.delete()
            token = Token.objects.create(user=user)
        auth_event(AuthEvent.Kind.TOKEN_ISSUED, user=user, request=request)
        return Response(
            TokenSerializer({"token": token.key, "expires_at": token_expires_at(token)}).data
        )
