"""API input of the 12387 intake: a report recorded by staff."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Province, Sector
from core.api import StrictInputSerializer
from reports.api.inputs import ReportDraftInputSerializer
from reports.constants import STAFF_ROUTES, ReceivedVia

STAFF_ROUTE_CHOICES = [(v, label) for v, label in ReceivedVia.choices if v in STAFF_ROUTES]


class IntakeReportInputSerializer(ReportDraftInputSerializer):
    """Art. 7 items (as for a draft), the organisation by its code, the caller, the route and
    the instant of receipt."""

    organization_code = serializers.CharField(
        max_length=18, help_text=_("The organisation's unified social credit code.")
    )
    organization_name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Only when the portal does not know the code: the organisation is created."),
    )
    organization_province = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Only for a new organisation: GB/T 2260 province code."),
    )
    organization_sector = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Sector.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Only for a new organisation, optional: its CII sector code."),
    )
    received_via = serializers.ChoiceField(choices=STAFF_ROUTE_CHOICES)
    received_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=_(
            "When the call started or the message arrived (default: now); never in the "
            "future, never before discovery. The filing clock is judged on it."
        ),
    )
    caller_name = serializers.CharField(max_length=200)
    caller_contact = serializers.CharField(max_length=200)

    OWN = (
        "organization_code",
        "organization_name",
        "organization_province",
        "organization_sector",
        "received_via",
        "received_at",
        "caller_name",
        "caller_contact",
    )

    def service_kwargs(self) -> dict:
        data = self.service_data()
        own = {name: data.pop(name, None) for name in self.OWN}
        return {
            "organization_code": own["organization_code"],
            "organization_name": own["organization_name"] or "",
            "organization_province": own["organization_province"],
            "organization_sector": own["organization_sector"],
            "via": own["received_via"],
            "received_at": own["received_at"],
            "caller_name": own["caller_name"],
            "caller_contact": own["caller_contact"],
            "data": data,
        }


class InboxReportInputSerializer(IntakeReportInputSerializer):
    """As for a recorded report; the route defaults to the message's, and `received_at` to
    its arrival."""

    received_via = serializers.ChoiceField(choices=STAFF_ROUTE_CHOICES, required=False)
    caller_name = serializers.CharField(max_length=200, required=False)
    caller_contact = serializers.CharField(max_length=200, required=False)


class InboxAddInputSerializer(StrictInputSerializer):
    reference = serializers.CharField(
        max_length=32, help_text=_("The reference of the report (CSIR-YYYY-NNNNNN).")
    )


class InboxDismissInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=10000, help_text=_("Why it is dismissed."))
