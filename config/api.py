"""The API's one error mapping (domain errors to HTTP: ValidationError → 400, Http404 →
404, ActionForbidden → 403, InvalidTransition → 409) and its pagination. The 404 of a URL no
route matches (JSON under /api/) is in config.errors."""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ActionForbidden, InvalidTransition, RequestMismatch


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": str(_("The request body is too large."))},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        non_field = api_settings.NON_FIELD_ERRORS_KEY
        if hasattr(exc, "error_dict"):
            detail = {
                (non_field if field == NON_FIELD_ERRORS else field): [str(m) for m in msgs]
                for field, msgs in exc.message_dict.items()
            }
        else:
            detail = {non_field: [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, InvalidTransition):
        return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, RequestMismatch):
        return Response({"detail": str(exc.message)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    elif isinstance(exc, ActionForbidden):
        exc = exceptions.PermissionDenied(str(exc.message))
    return drf_exception_handler(exc, context)
