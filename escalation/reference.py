"""Default escalation policies: the statutory limits (created once; admins may tighten them)."""

from datetime import timedelta

from reports.constants import FILE_LIMITS, FORWARD_LIMITS


def load_reference_data(apps) -> None:
    EscalationPolicy = apps.get_model("escalation", "EscalationPolicy")
    for channel in FILE_LIMITS:
        EscalationPolicy.objects.get_or_create(
            channel=channel.value,
            defaults={
                "file_within": FILE_LIMITS[channel],
                "forward_within": FORWARD_LIMITS[channel],
                "auto_forward_margin": timedelta(minutes=5),
                "reminder_fractions": [0.5, 0.8],
            },
        )
