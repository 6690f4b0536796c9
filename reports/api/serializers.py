"""API v1 serializers (STYLE.md B4): output serializers for reading, and one small input
serializer per command. Input serializers only check shapes and types; every rule of the
measures is enforced by the services they feed."""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Authority, Organization

from ..constants import Severity
from ..indicators import clean_indicators
from ..models import TEXT_MAX, Attachment, Category, FollowUp, Report, ReportEvent
from ..services import FOLLOWUP_ITEMS

# ---------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------


class AuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Authority
        fields = ["id", "name", "name_en", "kind"]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    province = serializers.CharField(
        source="province_id", read_only=True, help_text=_("GB/T 2260 province code.")
    )

    class Meta:
        model = Organization
        fields = ["id", "name", "uscc", "province"]
        read_only_fields = fields


class RansomwareSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="ransom_amount", allow_null=True
    )
    currency = serializers.CharField(source="ransom_currency")
    payment_method = serializers.CharField(source="ransom_payment_method")
    demanded_at = serializers.DateTimeField(source="ransom_demanded_at", allow_null=True)


def _deadline_model():
    # reports never imports escalation models (dependencies run escalation → reports)
    return Report._meta.get_field("deadlines").related_model


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=_deadline_model().Kind.choices)
    opened_at = serializers.DateTimeField()
    statutory_due_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    act_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=_deadline_model().Outcome.choices)
    breached = serializers.SerializerMethodField(
        help_text=_("Met after, or still open past, the statutory limit.")
    )
    lateness_seconds = serializers.SerializerMethodField(
        help_text=_("Legal lateness in seconds (judged against the statutory limit), or null.")
    )

    def get_breached(self, obj) -> bool:
        return obj.is_breached(self.context["now"])

    def get_lateness_seconds(self, obj) -> int | None:
        return None if obj.lateness is None else int(obj.lateness.total_seconds())


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(
        help_text=_("The username of who acted, or null for the portal itself.")
    )

    class Meta:
        model = ReportEvent
        fields = ["kind", "at", "actor", "automatic", "note"]
        read_only_fields = fields

    def get_actor(self, obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id and obj.actor else None


def _username(user) -> str | None:
    return user.get_username() if user is not None else None


class FollowUpSerializer(serializers.ModelSerializer):
    """A 补报 (supplement) or 续报 (progress report)."""

    severity_declared = serializers.ChoiceField(
        choices=Severity.choices, allow_blank=True, read_only=True
    )
    indicators = serializers.SerializerMethodField(
        help_text=_("New grading indicators it brought, or null.")
    )
    answers = serializers.IntegerField(
        source="answers_id",
        allow_null=True,
        read_only=True,
        help_text=_("The id of the request for information it answered, or null."),
    )
    created_by = serializers.SerializerMethodField(help_text=_("The username of who filed it."))

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "kind",
            "body",
            *FOLLOWUP_ITEMS,
            "indicators",
            "severity_declared",
            "answers",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": True,
            "nullable": True,
            "description": "Grading indicators: one optional key per row of the grading guide.",
        }
    )
    def get_indicators(self, obj):
        return obj.indicators

    def get_created_by(self, obj) -> str | None:
        return _username(obj.created_by) if obj.created_by_id else None


class InfoRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    authority = AuthoritySerializer(help_text=_("The authority that asks."))
    question = serializers.CharField()
    due_at = serializers.DateTimeField(allow_null=True)
    requested_by = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When a follow-up answered it, or null while open.")
    )

    def get_requested_by(self, obj) -> str | None:
        return _username(obj.requested_by) if obj.requested_by_id else None


class SummaryReportSerializer(serializers.Serializer):
    """总结报告 (Art. 8)."""

    cause = serializers.CharField()
    emergency_measures = serializers.CharField()
    harm = serializers.CharField()
    accountability = serializers.CharField()
    rectification = serializers.CharField()
    lessons = serializers.CharField()
    filed_by = serializers.SerializerMethodField()
    filed_at = serializers.DateTimeField()

    def get_filed_by(self, obj) -> str | None:
        return _username(obj.filed_by) if obj.filed_by_id else None


class ForwardedSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    automatic = serializers.BooleanField(
        help_text=_("True when the portal forwarded it by itself before the limit.")
    )


def _one_to_one(obj, name):
    """The reverse one-to-one row, or None (select_related caches the absence)."""
    return getattr(obj, name, None)


class CriterionSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    level = serializers.ChoiceField(choices=Severity.choices)
    threshold = serializers.CharField()
    unit = serializers.CharField()


@extend_schema_field(CriterionSerializer(many=True))
class CriteriaMetField(serializers.JSONField):
    """The grading-guide criteria the indicators meet."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": "Grading indicators: one optional key per row of the grading guide.",
    }
)
class IndicatorsField(serializers.JSONField):
    pass


class AttachmentSerializer(serializers.ModelSerializer):
    """An evidence attachment: the sanitised name, the type proven by its content, its size
    and SHA-256, who uploaded it and when, and where to download it."""

    uploaded_by = serializers.SerializerMethodField(help_text=_("The username of who uploaded it."))
    followup = serializers.IntegerField(
        source="followup_id",
        allow_null=True,
        read_only=True,
        help_text=_("The id of the follow-up it belongs to, or null."),
    )
    download_url = serializers.SerializerMethodField(
        help_text=_("The API path that streams the file.")
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "size",
            "content_type",
            "sha256",
            "followup",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, obj) -> str | None:
        return _username(obj.uploaded_by) if obj.uploaded_by_id else None

    def get_download_url(self, obj) -> str:
        from django.urls import reverse

        return reverse(
            "reports-api:report-attachment-download", kwargs={"pk": obj.report_id, "aid": obj.pk}
        )


class ReportSerializer(serializers.ModelSerializer):
    """A report as the API shows it (ARCHITECTURE.md, "Report fields"). Read only."""

    organization = OrganizationSerializer(read_only=True)
    receiving_authority = AuthoritySerializer(read_only=True)
    copied_to = AuthoritySerializer(many=True, read_only=True)
    category = serializers.CharField(
        source="category_id", allow_null=True, read_only=True, help_text=_("Sub-category code.")
    )
    severity_declared = serializers.ChoiceField(
        choices=Severity.choices, allow_blank=True, read_only=True
    )
    criteria_met = CriteriaMetField(read_only=True)
    indicators = IndicatorsField(read_only=True)
    ransomware = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField(
        help_text=_("The username of the official handling it, or null.")
    )
    severity_reviewed = serializers.ChoiceField(
        choices=Severity.choices,
        allow_blank=True,
        read_only=True,
        help_text=_("The reviewer's level (blank until graded)."),
    )
    missed = serializers.SerializerMethodField(
        help_text=_("Required by an authority and not filed in time (漏报).")
    )
    forwarded = serializers.SerializerMethodField()
    followups = FollowUpSerializer(many=True, read_only=True)
    info_requests = InfoRequestSerializer(many=True, read_only=True)
    summary = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "reference",
            "version",
            "status",
            "tier",
            "channel",
            "involves_cii",
            "cii_untick_reason",
            "organization",
            "receiving_authority",
            "copied_to",
            "title",
            "category",
            "severity_declared",
            "severity_suggested",
            "criteria_met",
            "severity",
            "discovered_at",
            "occurred_at",
            "submitted_at",
            "handling_ended_at",
            "location",
            "affected_systems",
            "indicators",
            "impact_description",
            "measures_taken",
            "ransomware",
            "trend",
            "cause",
            "attack_clues",
            "planned_measures",
            "support_requested",
            "scene_preservation",
            "suspected_crime",
            "other",
            "emergency_plan",
            "protective_measures",
            "late_reason",
            "assignee",
            "severity_reviewed",
            "grade_reason",
            "closed_reason",
            "missed",
            "forwarded",
            "followups",
            "info_requests",
            "summary",
            "deadlines",
            "events",
            "attachments",
        ]
        read_only_fields = fields

    def get_assignee(self, obj) -> str | None:
        return _username(obj.assignee) if obj.assignee_id else None

    def get_missed(self, obj) -> bool:
        return obj.missed_at is not None

    @extend_schema_field(ForwardedSerializer(allow_null=True))
    def get_forwarded(self, obj):
        forwarding = _one_to_one(obj, "forwarding")
        return None if forwarding is None else ForwardedSerializer(forwarding).data

    @extend_schema_field(SummaryReportSerializer(allow_null=True))
    def get_summary(self, obj):
        summary = _one_to_one(obj, "summary")
        return None if summary is None else SummaryReportSerializer(summary).data

    @extend_schema_field(RansomwareSerializer(allow_null=True))
    def get_ransomware(self, obj):
        if (
            obj.ransom_amount is None
            and not obj.ransom_currency
            and not (obj.ransom_payment_method or obj.ransom_demanded_at)
        ):
            return None
        return RansomwareSerializer(obj).data

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, obj):
        return DeadlineSerializer(obj.deadlines.all(), many=True, context=self.context).data


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_id", allow_null=True, read_only=True, help_text=_("The class code.")
    )

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "parent"]
        read_only_fields = fields


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send it as `Authorization: Token <token>`."))


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# ---------------------------------------------------------------------------------------
# Input: one small serializer per command. Unknown and read-only fields are refused.
# ---------------------------------------------------------------------------------------

SERVER_SET = frozenset(ReportSerializer.Meta.fields) | {
    "severity_reviewed",
    "forwarded_at",
    "created_at",
    "updated_at",
    "created_by",
    "submitted_by",
}


class StrictInputSerializer(serializers.Serializer):
    # Refuses every key it does not declare, with a message under that key, instead of
    # silently dropping it (ARCHITECTURE.md, API contract: status codes).

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            for name in data:
                if name in self.fields and not self.fields[name].read_only:
                    continue
                refused[name] = [
                    _("This field is set by the server and cannot be written.")
                    if name in SERVER_SET
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


def _text(max_length: int = TEXT_MAX, **kwargs):
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


def _when(**kwargs):
    return serializers.DateTimeField(required=False, allow_null=True, **kwargs)


class RansomwareInputSerializer(StrictInputSerializer):
    amount = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        min_value=0,
        max_value=10**15,
        required=False,
        allow_null=True,
    )
    currency = _text(16)
    payment_method = _text(200)
    demanded_at = _when()

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
        super().__init__(
            slug_field="code",
            queryset=Category.objects.filter(children__isnull=True),
            **kwargs,
        )


class ReportDraftInputSerializer(StrictInputSerializer):
    """The writable fields of a draft (`reports.services.DRAFT_FIELDS`); every field is
    optional, and only the fields sent are written."""

    title = _text(200)
    involves_cii = serializers.BooleanField(required=False)
    cii_untick_reason = _text()
    affected_systems = _text()
    discovered_at = _when()
    occurred_at = _when()
    location = _text(500)
    category = LeafCategoryField(required=False, allow_null=True)
    indicators = IndicatorsField(required=False, allow_null=True)
    severity_declared = serializers.ChoiceField(
        choices=Severity.choices, required=False, allow_blank=True
    )
    impact_description = _text()
    measures_taken = _text()
    ransomware = RansomwareInputSerializer(
        required=False,
        allow_null=True,
        help_text=_("Required for the ransomware sub-category; null clears it."),
    )
    trend = _text()
    cause = _text()
    attack_clues = _text()
    planned_measures = _text()
    support_requested = _text()
    scene_preservation = _text()
    other = _text()
    suspected_crime = serializers.BooleanField(required=False)
    emergency_plan = _text()
    protective_measures = _text()
    late_reason = _text()

    def validate_indicators(self, value):
        cleaned, errors = clean_indicators(value)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def service_data(self) -> dict:
        """`validated_data` as the services take it: `ransomware` becomes the ransom_*
        columns, and the command's own arguments (organisation, version) are left out."""
        data = {
            k: v for k, v in self.validated_data.items() if k not in ("organization", "version")
        }
        if "ransomware" in data:
            ransom = data.pop("ransomware")
            if ransom is None:
                data.update(dict.fromkeys(RansomwareInputSerializer.COLUMNS.values()))
            else:
                for key, value in ransom.items():
                    data[RansomwareInputSerializer.COLUMNS[key]] = value
        return data


class ReportCreateInputSerializer(ReportDraftInputSerializer):
    organization = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("Only when you report for more than one organisation: which one."),
    )


class ReportUpdateInputSerializer(ReportDraftInputSerializer):
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


class ReportSubmitInputSerializer(StrictInputSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The `version` you read the report at (409 if stale)."),
    )
    late_reason = _text(
        help_text=_("Required when the filing limit has passed: the reason for the delay.")
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


class ReportActionInputSerializer(StrictInputSerializer):
    # Base of the review-workflow commands: an optional `version` (409 if stale).

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The `version` you read the report at (409 if stale). Optional."),
    )


class ReportClaimInputSerializer(ReportActionInputSerializer):
    pass


class ReportAcknowledgeInputSerializer(ReportActionInputSerializer):
    pass


class ReportForwardInputSerializer(ReportActionInputSerializer):
    pass


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
        from django.contrib.auth import get_user_model

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
    due_at = _when(help_text=_("When the answer is due (opens a clock); optional."))


class ReportNotifyInputSerializer(ReportActionInputSerializer):
    departments = serializers.ListField(
        child=serializers.CharField(max_length=200),
        allow_empty=False,
        max_length=50,
        help_text=_("The departments notified (通报), by name."),
    )


class ReportCloseInputSerializer(ReportActionInputSerializer):
    reason = serializers.CharField(max_length=TEXT_MAX)


class ReportFollowUpInputSerializer(ReportActionInputSerializer):
    """补报 (`supplement`: Art. 7 items 3–8 that could not be given at first) or 续报
    (`progress`). Items given here also update the report."""

    kind = serializers.ChoiceField(choices=FollowUp.Kind.choices)
    body = serializers.CharField(max_length=TEXT_MAX, help_text=_("What is new."))
    trend = _text()
    cause = _text()
    attack_clues = _text()
    planned_measures = _text()
    support_requested = _text()
    scene_preservation = _text()
    other = _text()
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


class AttachmentInputSerializer(StrictInputSerializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service refuses it with its own message
        help_text=_(
            "The evidence file. Accepted: PDF, PNG, JPEG, ZIP/DOCX/XLSX, PCAP, plain text; the "
            "type is checked on the content, not the name."
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


class RequiredReportInputSerializer(StrictInputSerializer):
    organization = serializers.IntegerField(
        min_value=1, help_text=_("The id of the organisation that must report.")
    )
    title = serializers.CharField(max_length=200, help_text=_("The incident, in a few words."))
    note = _text(help_text=_("What the authority knows; shown to the operator."))


# ---------------------------------------------------------------------------------------
# Notifications (the bell). The model lives in escalation; it is reached through the
# reverse relation so that reports does not import escalation models.
# ---------------------------------------------------------------------------------------


def notification_model():
    return Report._meta.get_field("notifications").related_model


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=notification_model().Kind.choices)
    message = serializers.CharField()
    report = serializers.IntegerField(
        source="report_id", allow_null=True, help_text=_("The report it is about, or null.")
    )
    reference = serializers.SerializerMethodField(help_text=_("That report's reference."))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    unread = serializers.SerializerMethodField()

    def get_reference(self, obj) -> str | None:
        return obj.report.reference if obj.report_id else None

    def get_unread(self, obj) -> bool:
        return obj.read_at is None


class NotificationsReadInputSerializer(StrictInputSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text=_("The notifications to mark read; leave out to mark all of yours read."),
    )


class NotificationsReadSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text=_("How many were unread and are now read."))
