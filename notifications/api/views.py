from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import BAD_REQUEST, NO_SUCH_PAGE, UNAUTHORIZED, JSONParser, call_service

from ..filters import NotificationFilterSet
from ..models import Notification
from ..selectors import notification_list
from ..services import notifications_mark_read
from .serializers import (
    NotificationSerializer,
    NotificationsReadInputSerializer,
    NotificationsReadSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary=_("Your notifications, newest first"),
        responses={
            200: NotificationSerializer(many=True),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            404: NO_SUCH_PAGE,
        },
    )
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (the bell); `unread=true` for the unread ones."""

    serializer_class = NotificationSerializer
    parser_classes = [JSONParser]
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return notification_list(user=self.request.user)

    @extend_schema(
        summary=_("Mark notifications read"),
        description=_("The ones named in `ids`, or all of yours when `ids` is left out."),
        request=NotificationsReadInputSerializer,
        responses={200: NotificationsReadSerializer, 400: BAD_REQUEST, 401: UNAUTHORIZED},
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request):
        serializer = NotificationsReadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        updated = call_service(
            notifications_mark_read, user=request.user, ids=serializer.validated_data.get("ids")
        )
        return Response(NotificationsReadSerializer({"updated": updated}).data)
