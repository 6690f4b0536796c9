"""API v1 input serializers of the review commands (one per command; shapes and types
only: the services decide)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fields import TEXT_MAX
from reports.api.inputs import (
    ReportActionInputSerializer,
    ReportInputSerializer,
    text_field,
    when_field,
)
from reports.constants import Severity
from reports.models import Finding


class ReportClaimInputSerializer(ReportActionInputSerializer):
    pass


class ReportAcknowledgeInputSerializer(ReportActionInputSerializer):
    pass


class ReportForwardInputSerializer(ReportActionInputSerializer):
    same_level_departments = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        allow_empty=True,
        max_length=50,
        help_text=_(
            "General channel (Art. 4): codes of the province's same-level departments "
            "notified at the same time. Omitted together with `same_level_reason`: the "
            "province's configured departments are notified (as by the automatic forward); "
            "with none configured, a field error."
        ),
    )
    same_level_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX,
        help_text=_("General channel: why no same-level department is notified."),
    )


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 150}],
        "description": "A user id (integer) or a username (string).",
    }
)
class UserReferenceField(serializers.Field):
    """A user id (JSON integer) or a username (JSON string), resolved to an id. An unknown
    username resolves to None, so the service gives the same answer as for a user who is
    not a colleague (no way to probe which usernames exist)."""

    default_error_messages = {"invalid": _("Give a user id or a username.")}

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool) and data >= 1:
            return data
        if isinstance(data, str) and data.strip() and len(data) <= 150:
            return (
                get_user_model()
                .objects.filter(**{get_user_model().USERNAME_FIELD: data.strip()})
                .values_list("pk", flat=True)
                .first()
            )
        self.fail("invalid")

    def to_representation(self, value):
        return value


class ReportAssignInputSerializer(ReportActionInputSerializer):
    user = UserReferenceField(
        help_text=_("A colleague at the authority holding the report: id or username.")
    )


class ReportGradeInputSerializer(ReportActionInputSerializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField(max_length=TEXT_MAX)


class ReportRequestInfoInputSerializer(ReportActionInputSerializer):
    question = serializers.CharField(max_length=TEXT_MAX)
    due_at = when_field(help_text=_("When the answer is due (opens a clock); optional."))


class ReportNotifyInputSerializer(ReportActionInputSerializer):
    departments = serializers.ListField(
        child=serializers.CharField(max_length=200),
        allow_empty=False,
        max_length=50,
        help_text=_("The departments notified (通报), by name."),
    )


class ReportCloseInputSerializer(ReportActionInputSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class ReportFindingInputSerializer(ReportActionInputSerializer):
    kind = serializers.ChoiceField(
        choices=Finding.Kind.choices,
        help_text=_("`late` 迟报, `missed` 漏报, `false` 谎报, `concealed` 瞒报."),
    )
    reason = serializers.CharField(max_length=TEXT_MAX)


class RequiredReportInputSerializer(ReportInputSerializer):
    organization = serializers.IntegerField(
        min_value=1, help_text=_("The id of the organisation that must report.")
    )
    title = serializers.CharField(max_length=200, help_text=_("The incident, in a few words."))
    note = text_field(help_text=_("What the authority knows; shown to the operator."))
