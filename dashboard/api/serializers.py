"""Output shapes of `/api/v1/stats/…` (for the OpenAPI schema; the figures are plain dicts)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

AS_OF = _("When the summary behind these figures was last brought up to date.")


class CountSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("The value counted (a level, status, code…)."))
    label = serializers.CharField(help_text=_("Its name in the language of the request."))
    count = serializers.IntegerField()


class StatsSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Reports submitted in the period."))
    by_level = CountSerializer(many=True)
    by_status = CountSerializer(many=True)
    by_channel = CountSerializer(many=True)
    by_route = CountSerializer(
        many=True, help_text=_("By the route it was received by (`received_via`).")
    )
    by_category = CountSerializer(many=True, help_text=_("By incident class (GB/T 20986)."))
    by_province = CountSerializer(many=True, help_text=_("By the operator's province."))
    as_of = serializers.DateTimeField(allow_null=True, help_text=AS_OF)


class TrendDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()


class StatsTrendSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    days = TrendDaySerializer(many=True, help_text=_("Every day of the period, Beijing time."))
    as_of = serializers.DateTimeField(allow_null=True, help_text=AS_OF)


class FindingCountsSerializer(serializers.Serializer):
    late = serializers.IntegerField(help_text=_("Findings of late reporting (迟报)."))
    missed = serializers.IntegerField(help_text=_("Findings of missed reports (漏报)."))
    false = serializers.IntegerField(help_text=_("Findings of false reporting (谎报)."))
    concealed = serializers.IntegerField(help_text=_("Findings of concealment (瞒报)."))


class ChannelComplianceSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    due = serializers.IntegerField(help_text=_("Reports with a statutory filing limit."))
    on_time = serializers.IntegerField()
    late = serializers.IntegerField(help_text=_("Filed after the statutory limit (迟报)."))
    on_time_share = serializers.FloatField(allow_null=True, help_text=_("0 to 1."))
    findings = FindingCountsSerializer(
        help_text=_("Findings recorded by the authorities on these reports (Art. 10).")
    )


class AuthorityComplianceSerializer(serializers.Serializer):
    authority = serializers.IntegerField(help_text=_("The receiving authority's id."))
    name = serializers.CharField()
    kind = serializers.CharField()
    reports = serializers.IntegerField()
    forwarded = serializers.IntegerField()
    median_seconds = serializers.FloatField(
        allow_null=True, help_text=_("Median time from receipt to forward, in seconds.")
    )
    p95_seconds = serializers.FloatField(
        allow_null=True, help_text=_("95th percentile of the time from receipt to forward.")
    )
    automatic_forwards = serializers.IntegerField(
        help_text=_("Forwards the portal made by itself.")
    )
    late_forwards = serializers.IntegerField()
    late_summaries = serializers.IntegerField(help_text=_("Summary reports past their limit."))


class StatsComplianceSerializer(serializers.Serializer):
    channels = ChannelComplianceSerializer(many=True)
    authorities = AuthorityComplianceSerializer(many=True)
    as_of = serializers.DateTimeField(allow_null=True, help_text=AS_OF)


class LateOperatorSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField()
    province = serializers.CharField()
    late = serializers.IntegerField()


class StatsLateOperatorsSerializer(serializers.Serializer):
    operators = LateOperatorSerializer(many=True)
    as_of = serializers.DateTimeField(allow_null=True, help_text=AS_OF)


class WatchReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    channel = serializers.CharField()
    channel_label = serializers.CharField()
    organization = serializers.CharField()
    receiving_authority = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    url = serializers.CharField(help_text=_("The report's page."))


class AwaitingReportSerializer(WatchReportSerializer):
    due_at = serializers.DateTimeField(help_text=_("The forward limit the portal works to."))
    statutory_due_at = serializers.DateTimeField(help_text=_("The statutory forward limit."))
    act_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the portal forwards by itself.")
    )
    overdue = serializers.BooleanField()


class ForwardedReportSerializer(WatchReportSerializer):
    forwarded_at = serializers.DateTimeField()
    automatic = serializers.BooleanField()


class StatsWatchlistSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    awaiting = AwaitingReportSerializer(many=True)
    awaiting_total = serializers.IntegerField()
    forwarded = ForwardedReportSerializer(many=True)
    forwarded_total = serializers.IntegerField()


class StatsHealthSerializer(serializers.Serializer):
    last_sweep_at = serializers.DateTimeField(allow_null=True)
    seconds_since_last_sweep = serializers.FloatField(allow_null=True)
    sweep_interval_seconds = serializers.IntegerField()
    stale = serializers.BooleanField(help_text=_("The escalation sweep has not run recently."))
    overdue_clocks = serializers.IntegerField()
    summary_as_of = serializers.DateTimeField(allow_null=True, help_text=AS_OF)
