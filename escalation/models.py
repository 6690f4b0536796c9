from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.changes import TracksChanges
from core.formats import local_minute
from core.refcache import ReferenceCache, ReferenceQuerySet
from reports.constants import FILE_LIMITS, FORWARD_LIMITS, Channel
from reports.models import Report

from .constants import Kind, Outcome
from .rules import (
    DeadlineTimes,
    PolicySnapshot,
    Progress,
    has_statutory_limit,
    is_breached,
    statutory_policy,
)


def default_reminder_fractions():
    return [0.5, 0.8]


class EscalationPolicy(models.Model):
    """The limits the portal works to, per channel. Defaults are the statutory limits; an
    admin may make them stricter, never looser. A clock keeps the values it opened with."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, unique=True)
    file_within = models.DurationField(_("operator files within"))
    forward_within = models.DurationField(_("receiving authority forwards within"))
    auto_forward_margin = models.DurationField(
        _("automatic forward this long before the limit"), default=timedelta(minutes=5)
    )
    reminder_fractions = models.JSONField(
        _("reminders at these fractions of the window"), default=default_reminder_fractions
    )
    history = HistoricalRecords()
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["channel"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.get_channel_display()

    def clean(self):
        errors = {}
        if self.channel in FILE_LIMITS:
            if self.file_within and self.file_within > FILE_LIMITS[self.channel]:
                errors["file_within"] = _("Cannot be looser than the statutory %(limit)s.") % {
                    "limit": FILE_LIMITS[self.channel]
                }
            if self.forward_within and self.forward_within > FORWARD_LIMITS[self.channel]:
                errors["forward_within"] = _("Cannot be looser than the statutory %(limit)s.") % {
                    "limit": FORWARD_LIMITS[self.channel]
                }
        for name in ("file_within", "forward_within"):
            value = getattr(self, name)
            if value is not None and value <= timedelta(0):
                errors[name] = _("Must be positive.")
        if (
            self.forward_within
            and self.auto_forward_margin is not None
            and not (timedelta(0) <= self.auto_forward_margin < self.forward_within / 2)
        ):
            errors["auto_forward_margin"] = _(
                "Must be at least zero and less than half the window."
            )
        fractions = self.reminder_fractions
        if not isinstance(fractions, list) or not all(
            isinstance(f, int | float) and 0 < f < 1 for f in fractions
        ):
            errors["reminder_fractions"] = _("A list of numbers between 0 and 1, e.g. [0.5, 0.8].")
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> PolicySnapshot:
        return PolicySnapshot(
            channel=self.channel,
            file_within=self.file_within,
            forward_within=self.forward_within,
            auto_forward_margin=self.auto_forward_margin,
            reminder_fractions=tuple(self.reminder_fractions),
        )

    @classmethod
    def snapshot_for(cls, channel: str) -> PolicySnapshot:
        """The channel's limits (kept in memory: core/refcache.py), or the law's."""
        snapshot = _policies.get().get(channel)
        return snapshot if snapshot is not None else statutory_policy(channel)


_policies = ReferenceCache(
    lambda: {policy.channel: policy.snapshot() for policy in EscalationPolicy.objects.all()}
)


class Deadline(TracksChanges, models.Model):
    Kind = Kind
    Outcome = Outcome

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    opened_at = models.DateTimeField(_("opened at"))
    statutory_due_at = models.DateTimeField(_("statutory limit"))
    due_at = models.DateTimeField(_("due at"))
    act_at = models.DateTimeField(_("portal acts at"), null=True, blank=True)
    next_fire_at = models.DateTimeField(_("next reminder or action"), null=True, blank=True)
    remind_at = models.JSONField(_("reminders"), default=list, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    acted_at = models.DateTimeField(_("acted at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    lateness = models.DurationField(_("legal lateness"), null=True, blank=True)
    late_cause = models.TextField(_("cause of lateness"), blank=True)
    closed_reason = models.TextField(_("reason"), blank=True)
    # policy values in force when the clock opened
    policy_channel = models.CharField(_("policy channel"), max_length=10, choices=Channel.choices)
    policy_within = models.DurationField(_("policy window"))
    policy_margin = models.DurationField(_("policy safety margin"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        indexes = [
            models.Index(
                fields=["next_fire_at"],
                name="deadline_due_partial",
                condition=Q(next_fire_at__isnull=False),
            ),
            models.Index(fields=["report", "kind"], name="deadline_report_kind"),
            models.Index(
                fields=["kind", "due_at"],
                name="deadline_open_kind_due",
                condition=Q(outcome="open"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=Q(outcome="open") & ~Q(kind="info_request"),
                name="one_open_clock_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(due_at__lte=models.F("statutory_due_at")),
                name="due_not_after_statutory",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_kind_display()} {self.get_outcome_display()}"

    @property
    def breached(self) -> bool:
        """Met after, or still open past, the statutory limit, as recorded on the row.
        (Whether an open clock is breached now: `is_breached(now)`.)"""
        return self.lateness is not None

    @property
    def statutory_limit(self):
        """The statutory limit, or None for a clock the measures set no limit for."""
        return self.statutory_due_at if self.has_statutory_limit else None

    @property
    def has_statutory_limit(self) -> bool:
        """False for an information request: its due time is the authority's own."""
        return has_statutory_limit(self.kind)

    def is_breached(self, now) -> bool:
        return is_breached(
            outcome=self.outcome,
            met_at=self.met_at,
            statutory_due_at=self.statutory_due_at,
            now=now,
            statutory=self.has_statutory_limit,
        )

    @property
    def times(self) -> DeadlineTimes:
        """The instants stored on the row (a clock keeps the values it opened with)."""
        return DeadlineTimes(
            statutory_due_at=self.statutory_due_at,
            due_at=self.due_at,
            act_at=self.act_at,
            remind_at=tuple(datetime.fromisoformat(t) for t in self.remind_at),
            statutory=self.has_statutory_limit,
        )

    @property
    def progress(self) -> Progress:
        return Progress(
            reminders_sent=self.reminders_sent,
            acted=self.acted_at is not None,
            breach_recorded=self.lateness is not None,
        )


class SweepHeartbeat(models.Model):
    """One row: when the escalation sweep last ran. The health page shows it; a stale value
    means the workers or the broker are down."""

    last_run_at = models.DateTimeField(_("last sweep"), null=True, blank=True)
    acted = models.PositiveIntegerField(_("clocks acted on in the last sweep"), default=0)

    class Meta:
        verbose_name = _("sweep heartbeat")
        verbose_name_plural = _("sweep heartbeat")

    def __str__(self) -> str:
        return f"{_('last sweep')} {local_minute(self.last_run_at)}"
