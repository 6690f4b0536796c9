"""API building blocks (docs/ARCHITECTURE.md, "API"): strict input serializers, calling a
service with its field errors mapped to a 400, and the schema's shared error shapes. The
HTTP mapping of the domain exceptions is `config.api.exception_handler`."""

import copy
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


BAD_REQUEST = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=_("Bad input: field-level messages, `{field: [message, …]}`. Nothing is written."),
)
UNAUTHORIZED = OpenApiResponse(ErrorSerializer, description=_("Not authenticated."))
NO_SUCH_PAGE = OpenApiResponse(ErrorSerializer, description=_("No such page."))


LEAF_FIELDS = frozenset(
    {
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.EmailField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.URLField,
        serializers.UUIDField,
    }
)


class StrictInputSerializer(serializers.Serializer):
    # Refuses every key it does not declare, with a message under that key, instead of
    # silently dropping it (docs/ARCHITECTURE.md, API contract: status codes). Keys named in
    # `server_set` are told they are set by the server. (Comments, not a docstring: the
    # schema would publish it for every input.)

    server_set: frozenset = frozenset()

    def get_fields(self):
        # DRF deep-copies every declared field for each serializer it builds (re-creating
        # it from its arguments, validators and all: most of an input's cost). A plain leaf
        # field of DRF's own kinds holds nothing that validation changes, and binding sets
        # only its own attributes, so a shallow copy is as independent; a field holding
        # other fields or a queryset (a nested input, a list's child, a related field) is
        # copied as DRF does.
        return {
            name: copy.copy(field) if type(field) in LEAF_FIELDS else copy.deepcopy(field)
            for name, field in self._declared_fields.items()
        }

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            for name in data:
                if name in self.fields and not self.fields[name].read_only:
                    continue
                refused[name] = [
                    _("This field is set by the server and cannot be written.")
                    if name in self.server_set
                    else _("Unknown field.")
                ]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if refused and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **refused}) from exc
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value


def api_errors(exc: DjangoValidationError, renames: Mapping | None = None) -> ValidationError:
    """A service's field errors as a DRF 400. `renames` maps a service field to
    `(outer, inner)` when the API nests it (e.g. the ransom_* columns under `ransomware`);
    model-wide errors go under `non_field_errors`."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: list(exc.messages)})
    detail: dict = {}
    for field, messages in exc.message_dict.items():
        if renames and field in renames:
            outer, inner = renames[field]
            detail.setdefault(outer, {})[inner] = messages
        elif field == NON_FIELD_ERRORS:
            detail[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            detail[field] = messages
    return ValidationError(detail)


def call_service(service, *, renames: Mapping | None = None, **kwargs):
    """Call a service; its field-level ValidationError becomes the API's 400."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise api_errors(exc, renames) from exc


class JSONRenderer(renderers.JSONRenderer):
    """`application/json; charset=utf-8`: every API answer, errors included, names its
    charset (Chinese messages are never guessed at)."""

    charset = "utf-8"


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's parser, refusing U+0000 anywhere in the document (keys included) with a 400:
    PostgreSQL text cannot hold it, and a lookup by such a value would be a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _contains_nul(data):
            raise exceptions.ParseError(
                _("The request contains a NUL character (U+0000), which is not allowed.")
            )
        return data
