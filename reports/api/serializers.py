"""API v1 output serializers of reports (read only). The input serializers of the commands
are in `inputs.py`."""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Authority, Organization
from escalation.constants import Kind as DeadlineKind
from escalation.constants import Outcome as DeadlineOutcome

from ..constants import Severity
from ..contents import FOLLOWUP_ITEMS
from ..models import Attachment, Category, Finding, FollowUp, Report, ReportEvent
from ..selectors import allowed_actions
from ..workflow import ALL_ACTIONS

# The workflow's actions as the API's commands name them (`POST /api/v1/reports/{id}/<name>/`).
COMMAND_NAMES = {"request_info": "request-info", "handling_ended": "handling-ended"}
COMMAND_NAMES["followup"] = "followups"
COMMAND_NAMES["finding"] = "findings"
API_ACTIONS = tuple(COMMAND_NAMES.get(action, action) for action in ALL_ACTIONS)

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


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeadlineKind.choices)
    opened_at = serializers.DateTimeField()
    statutory_due_at = serializers.DateTimeField(
        source="statutory_limit",
        allow_null=True,
        help_text=_(
            "The statutory limit; null for an information request, whose due time (`due_at`) "
            "is the authority's own deadline, never a legal breach."
        ),
    )
    due_at = serializers.DateTimeField()
    act_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=DeadlineOutcome.choices)
    breached = serializers.SerializerMethodField(
        help_text=_("Met after, or still open past, the statutory limit.")
    )
    lateness_seconds = serializers.SerializerMethodField(
        help_text=_("Legal lateness in seconds (judged against the statutory limit), or null.")
    )

    def get_breached(self, obj) -> bool:
        return obj.is_breached(self.context["now"])

    def get_lateness_seconds(self, obj) -> int | None:
        return lateness_seconds(obj)


def lateness_seconds(deadline) -> int | None:
    return None if deadline.lateness is None else int(deadline.lateness.total_seconds())


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


class FindingSerializer(serializers.ModelSerializer):
    """Art. 10: a finding of late (迟报), missed (漏报), false (谎报) or concealed (瞒报)
    reporting."""

    authority = AuthoritySerializer(read_only=True)
    recorded_by = serializers.SerializerMethodField(help_text=_("The username of who recorded it."))

    class Meta:
        model = Finding
        fields = ["id", "kind", "reason", "authority", "recorded_by", "recorded_at"]
        read_only_fields = fields

    def get_recorded_by(self, obj) -> str | None:
        return _username(obj.recorded_by) if obj.recorded_by_id else None


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


class SameLevelDepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ForwardedSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    automatic = serializers.BooleanField(
        help_text=_("True when the portal forwarded it by itself before the limit.")
    )
    same_level_departments = SameLevelDepartmentSerializer(
        many=True,
        source="same_level_departments.all",
        help_text=_(
            "General channel (Art. 4): the same-level departments the provincial "
            "cyberspace administration notified at forwarding."
        ),
    )
    same_level_reason = serializers.CharField(
        help_text=_("General channel: why no same-level department was notified (else empty).")
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
        return reverse(
            "reports-api:report-attachment-download", kwargs={"pk": obj.report_id, "aid": obj.pk}
        )


class _ReportClocksAndActions(serializers.Serializer):
    """What the full and the short form of a report both show: its clocks, and what the
    caller may do on it now."""

    deadlines = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField(
        help_text=_(
            "What you may do on the report now: the commands (`POST …/reports/{id}/<name>/`) "
            "the workflow allows you in its state, by the same rules the commands enforce."
        )
    )

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, obj):
        return DeadlineSerializer(obj.deadlines.all(), many=True, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=API_ACTIONS)))
    def get_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return [COMMAND_NAMES.get(a, a) for a in allowed_actions(obj, user=request.user)]


class ReportSerializer(_ReportClocksAndActions, serializers.ModelSerializer):
    """A report as the API shows it (docs/ARCHITECTURE.md, "Report fields"). Read only."""

    organization = OrganizationSerializer(read_only=True)
    receiving_authority = AuthoritySerializer(read_only=True)
    copied_to = AuthoritySerializer(many=True, read_only=True)
    category = serializers.CharField(
        source="category_id", allow_null=True, read_only=True, help_text=_("Sub-category code.")
    )
    cii_sector = serializers.CharField(
        source="cii_sector_id",
        allow_null=True,
        read_only=True,
        help_text=_(
            "The CII sector the incident involves, named by an organisation with none on "
            "record (a code of the CII sector list), or null."
        ),
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
    findings = serializers.SerializerMethodField(
        help_text=_("Findings of late, missed, false or concealed reporting (Art. 10).")
    )
    info_requests = InfoRequestSerializer(many=True, read_only=True)
    summary = serializers.SerializerMethodField()
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
            "cii_sector",
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
            "received_via",
            "received_at",
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
            "harm_reduced",
            "late_reason",
            "assignee",
            "severity_reviewed",
            "grade_reason",
            "closed_reason",
            "missed",
            "forwarded",
            "followups",
            "findings",
            "info_requests",
            "summary",
            "deadlines",
            "events",
            "attachments",
            "actions",
        ]
        read_only_fields = fields

    def get_assignee(self, obj) -> str | None:
        return _username(obj.assignee) if obj.assignee_id else None

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, obj):
        """Read with the timeline (each finding has its event): no query of its own."""
        findings = []
        for event in obj.events.all():
            if event.kind != ReportEvent.Kind.FINDING_RECORDED:
                continue
            try:
                findings.append(event.finding)
            except ObjectDoesNotExist:
                continue
        return FindingSerializer(findings, many=True, context=self.context).data

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


class ReportBriefSerializer(_ReportClocksAndActions, serializers.ModelSerializer):
    """The short form of a report, for a command's answer when the client sends `Prefer:
    return=minimal`: what it needs to go on (the id and version for the next command,
    where the report went, its clocks and what it may do now). Read only. Its own fields
    only (not a subclass of ReportSerializer: DRF would copy all of that one's fields for
    each answer, the costliest part of the short answer)."""

    receiving_authority = AuthoritySerializer(read_only=True)
    # The many-side relations it reads: the clocks, and the copies (a police liaison's
    # actions); a command's answer fills only these from what its service wrote.
    RELATIONS = frozenset({"deadlines", "copied_to"})

    class Meta:
        model = Report
        fields = [
            "id",
            "reference",
            "version",
            "status",
            "tier",
            "channel",
            "severity",
            "receiving_authority",
            "submitted_at",
            "deadlines",
            "actions",
        ]
        read_only_fields = fields

    def to_representation(self, report) -> dict:
        """What the declared fields give (the schema's; a test compares the two), without
        building them for each answer (DRF builds a ModelSerializer's fields per instance,
        then the nested authority's: most of the short answer's cost)."""
        authority = report.receiving_authority
        return {
            "id": report.pk,
            "reference": report.reference,
            "version": report.version,
            "status": report.status,
            "tier": report.tier,
            "channel": report.channel,
            "severity": report.severity,
            "receiving_authority": None
            if authority is None
            else {name: getattr(authority, name) for name in AuthoritySerializer.Meta.fields},
            "submitted_at": _DATETIME.to_representation(report.submitted_at),
            "deadlines": [_deadline(d, self.context["now"]) for d in report.deadlines.all()],
            "actions": self.get_actions(report),
        }


_DATETIME = serializers.DateTimeField()  # its output, for the hand-built short answer


def _deadline(deadline, now) -> dict:
    """`DeadlineSerializer`'s output for one clock, written directly (the short answer)."""
    return {
        "kind": deadline.kind,
        "opened_at": _DATETIME.to_representation(deadline.opened_at),
        "statutory_due_at": _DATETIME.to_representation(deadline.statutory_limit),
        "due_at": _DATETIME.to_representation(deadline.due_at),
        "act_at": _DATETIME.to_representation(deadline.act_at),
        "met_at": _DATETIME.to_representation(deadline.met_at),
        "outcome": deadline.outcome,
        "breached": deadline.is_breached(now),
        "lateness_seconds": lateness_seconds(deadline),
    }


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_id", allow_null=True, read_only=True, help_text=_("The class code.")
    )

    class Meta:
        model = Category
        fields = ["code", "name", "name_en", "parent"]
        read_only_fields = fields
