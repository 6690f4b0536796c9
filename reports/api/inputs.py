"""API v1 input serializers of reports: one small serializer per command. They only check
shapes and types; every rule of the measures is enforced by the services they feed. Unknown
and read-only fields are refused."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Sector
from core.api import StrictInputSerializer
from core.fields import TEXT_MAX

from ..constants import Severity
from ..indicators import clean_indicators
from ..models import Category, FollowUp
from ..selectors import leaf_category
from .serializers import IndicatorsField, ReportSerializer

SERVER_SET = frozenset(ReportSerializer.Meta.fields) | {
    "severity_reviewed",
    "forwarded_at",
    "created_at",
    "updated_at",
    "created_by",
    "submitted_by",
}


class ReportInputSerializer(StrictInputSerializer):
    # Input about a report: a report's read-only field is named as such when refused.

    server_set = SERVER_SET


def text_field(max_length: int = TEXT_MAX, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


def when_field(**kwargs):
    return serializers.DateTimeField(required=False, allow_null=True, **kwargs)


class RansomwareInputSerializer(ReportInputSerializer):
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        min_value=0,
        max_value=10**15,
        required=False,
        allow_null=True,
    )
    currency = text_field(16)
    payment_method = text_field(200)
    demanded_at = when_field()

    COLUMNS = {
        "amount": "ransom_amount",
        "currency": "ransom_currency",
        "payment_method": "ransom_payment_method",
        "demanded_at": "ransom_demanded_at",
    }


class LeafCategoryField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown category “{value}”: give a sub-category code."),
        "invalid": _("Give a sub-category code."),
    }

    def __init__(self, **kwargs):
        # the sub-categories' queryset is built when asked for (choices, schema), not each
        # time the field is (every request builds its serializer's fields)
        super().__init__(slug_field="code", queryset=Category.objects.all(), **kwargs)

    def get_queryset(self):
        return Category.objects.filter(children__isnull=True)

    def to_internal_value(self, data):
        # the sub-categories are reference data kept in memory (no query per request)
        if isinstance(data, dict | list):
            self.fail("invalid")
        category = leaf_category(data)
        if category is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return category


class CiiSectorField(serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("Unknown CII sector “{value}”: give a code of the CII sector list."),
        "invalid": _("Give a code of the CII sector list."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Sector.objects.all(), **kwargs)


class ReportDraftInputSerializer(ReportInputSerializer):
    """The writable fields of a draft (`reports.contents.DRAFT_FIELDS`); every field is
    optional, and only the fields sent are written."""

    title = text_field(200)
    involves_cii = serializers.BooleanField(required=False)
    cii_sector = CiiSectorField(
        required=False,
        allow_null=True,
        help_text=_(
            "Only for an organisation with no CII sector on record whose incident involves "
            "CII: the sector's code (routes the report to its protection department)."
        ),
    )
    cii_untick_reason = text_field()
    affected_systems = text_field()
    discovered_at = when_field()
    occurred_at = when_field()
    location = text_field(500)
    category = LeafCategoryField(required=False, allow_null=True)
    indicators = IndicatorsField(required=False, allow_null=True)
    severity_declared = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_blank=True
    )
    impact_description = text_field()
    measures_taken = text_field()
    ransomware = RansomwareInputSerializer(
        required=False,
        allow_null=True,
        help_text=_("Required for the ransomware sub-category; null clears it."),
    )
    trend = text_field()
    cause = text_field()
    attack_clues = text_field()
    planned_measures = text_field()
    support_requested = text_field()
    scene_preservation = text_field()
    other = text_field()
    suspected_crime = serializers.BooleanField(required=False)
    emergency_plan = text_field()
    protective_measures = text_field()
    harm_reduced = text_field()
    late_reason = text_field()

    def validate_indicators(self, value):
        cleaned, errors = clean_indicators(value)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def service_data(self) -> dict:
        """`validated_data` as the services take it: `ransomware` becomes the ransom_*
        columns, and the command's own arguments (organisation, version) are left out."""
        data = {
            k: v
            for k, v in self.validated_data.items()
            if k not in ("organization", "version", "involves_state_secrets")
        }
        if "ransomware" in data:
            ransom = data.pop("ransomware")
            if ransom is None:
                data.update(dict.fromkeys(RansomwareInputSerializer.COLUMNS.values()))
            else:
                for key, value in ransom.items():
                    data[RansomwareInputSerializer.COLUMNS[key]] = value
        return data


def state_secrets_field():
    return serializers.BooleanField(
        required=False,
        help_text=_(
            "Art. 13: does the incident involve state secrets? `true` is refused (400, "
            "nothing stored): such reports go through the designated confidential channel."
        ),
    )


class ReportCreateInputSerializer(ReportDraftInputSerializer):
    involves_state_secrets = state_secrets_field()
    organization = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Only when you report for more than one organisation: which one."),
    )


class ReportUpdateInputSerializer(ReportDraftInputSerializer):
    involves_state_secrets = state_secrets_field()
    # PATCH semantics come from the fields themselves (all optional but `version`), so the
    # serializer is never `partial`: that keeps `version` required, in DRF and in the schema.

    version = serializers.IntegerField(
        min_value=1, help_text=_("The `version` you read the report at (409 if stale).")
    )

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value) -> None:
        pass


class ReportSubmitInputSerializer(ReportInputSerializer):
    involves_state_secrets = state_secrets_field()
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The `version` you read the report at (409 if stale)."),
    )
    late_reason = text_field(
        help_text=_("Required when the filing limit has passed: the reason for the delay.")
    )


class ReportActionInputSerializer(ReportInputSerializer):
    # Base of the review-workflow commands: an optional `version` (409 if stale).

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The `version` you read the report at (409 if stale). Optional."),
    )


class ReportFollowUpInputSerializer(ReportActionInputSerializer):
    """补报 (`supplement`: Art. 7 items 3–8 that could not be given at first) or 续报
    (`progress`). Items given here also update the report."""

    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    body = serializers.CharField(max_length=TEXT_MAX, help_text=_("What is new."))
    trend = text_field()
    cause = text_field()
    attack_clues = text_field()
    planned_measures = text_field()
    support_requested = text_field()
    scene_preservation = text_field()
    other = text_field()
    emergency_plan = text_field(help_text=_("Art. 11: the emergency plan executed."))
    protective_measures = text_field(help_text=_("Art. 11: the protective measures taken."))
    harm_reduced = text_field(help_text=_("Art. 11: the harm the plan and measures reduced."))
    late_reason = text_field(
        help_text=_(
            "The reason for the delay, when a level that rose after submission brands the "
            "filing legally late."
        )
    )
    indicators = IndicatorsField(required=False, allow_null=True)
    severity_declared = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_blank=True
    )

    def validate_indicators(self, value):
        if value is None:
            return None
        cleaned, errors = clean_indicators(value)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


class AttachmentInputSerializer(ReportInputSerializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service refuses it with its own message
        help_text=_(
            "The evidence file. Accepted: PDF, PNG, JPEG, TIFF, ZIP/DOCX/XLSX, PCAP, plain "
            "text; the type is checked on the content, not the name."
        ),
    )
    followup = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("The id of one of this report's follow-ups the evidence belongs to."),
    )


class ReportHandlingEndedInputSerializer(ReportActionInputSerializer):
    handling_ended_at = serializers.DateTimeField(
        help_text=_("When handling actually ended (处置工作结束); opens the 30-day summary clock.")
    )


class ReportSummaryInputSerializer(ReportActionInputSerializer):
    cause = serializers.CharField(max_length=TEXT_MAX)
    emergency_measures = serializers.CharField(max_length=TEXT_MAX)
    harm = serializers.CharField(max_length=TEXT_MAX)
    accountability = serializers.CharField(max_length=TEXT_MAX)
    rectification = serializers.CharField(max_length=TEXT_MAX)
    lessons = serializers.CharField(max_length=TEXT_MAX)
