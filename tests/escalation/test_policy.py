"""EscalationPolicy.clean: stricter than the law, never looser (docs/ARCHITECTURE.md, Clocks)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from escalation.models import EscalationPolicy
from reports.constants import FILE_LIMITS, FORWARD_LIMITS

M = timedelta(minutes=1)
H = timedelta(hours=1)


def make(channel="general", **overrides) -> EscalationPolicy:
    fields = {
        "channel": channel,
        "file_within": FILE_LIMITS[channel],
        "forward_within": FORWARD_LIMITS[channel],
        "auto_forward_margin": 5 * M,
        "reminder_fractions": [0.5, 0.8],
    }
    fields.update(overrides)
    return EscalationPolicy(**fields)


def errors_of(policy) -> dict:
    with pytest.raises(ValidationError) as exc:
        policy.clean()
    return exc.value.message_dict


@pytest.mark.parametrize("channel", ["cii", "central", "general"])
def test_statutory_defaults_are_valid(channel):
    make(channel).clean()


@pytest.mark.parametrize(
    "overrides",
    [
        {"file_within": 20 * M},
        {"forward_within": 20 * M, "auto_forward_margin": 9 * M},
        {"auto_forward_margin": timedelta(0)},
        {"auto_forward_margin": 29 * M + timedelta(seconds=59)},
        {"reminder_fractions": []},
        {"reminder_fractions": [0.1, 0.5, 0.99]},
    ],
)
def test_stricter_policies_are_valid(overrides):
    make("general", **overrides).clean()


@pytest.mark.parametrize(
    ("channel", "field", "value"),
    [
        ("cii", "file_within", H + timedelta(seconds=1)),
        ("central", "file_within", 3 * H),
        ("general", "file_within", 4 * H + M),
        ("cii", "forward_within", 31 * M),
        ("central", "forward_within", 2 * H),
        ("general", "forward_within", H + timedelta(seconds=1)),
    ],
)
def test_looser_than_the_law_is_refused(channel, field, value):
    assert field in errors_of(make(channel, **{field: value}))


@pytest.mark.parametrize("field", ["file_within", "forward_within"])
@pytest.mark.parametrize("value", [timedelta(0), -M])
def test_limits_must_be_positive(field, value):
    assert field in errors_of(make("general", **{field: value}))


@pytest.mark.parametrize(
    ("channel", "margin"),
    [
        ("general", 30 * M),  # exactly half of 1 h
        ("general", 45 * M),
        ("cii", 15 * M),  # half of 30 min
        ("general", -M),
    ],
)
def test_margin_must_be_less_than_half_the_window(channel, margin):
    assert "auto_forward_margin" in errors_of(make(channel, auto_forward_margin=margin))


def test_margin_is_judged_against_the_stricter_window():
    policy = make("general", forward_within=20 * M, auto_forward_margin=10 * M)
    assert "auto_forward_margin" in errors_of(policy)


@pytest.mark.parametrize(
    "fractions",
    [[0, 0.5], [0.5, 1], [1.5], [-0.2], ["0.5"], [None], "0.5,0.8", {"a": 0.5}, None, [True]],
)
def test_bad_reminder_fractions(fractions):
    assert "reminder_fractions" in errors_of(make("general", reminder_fractions=fractions))


def test_several_errors_are_reported_together():
    errors = errors_of(make("cii", file_within=2 * H, forward_within=H, reminder_fractions=[2]))
    assert {"file_within", "forward_within", "reminder_fractions"} <= set(errors)


def test_snapshot_carries_the_values():
    snap = make("cii", file_within=20 * M, reminder_fractions=[0.25]).snapshot()
    assert (snap.channel, snap.file_within, snap.reminder_fractions) == ("cii", 20 * M, (0.25,))


@pytest.mark.django_db
def test_full_clean_on_a_stored_policy_refuses_looser_limits():
    policy = EscalationPolicy.objects.get(channel="cii")
    policy.file_within = 2 * H
    with pytest.raises(ValidationError) as exc:
        policy.full_clean()
    assert "file_within" in exc.value.message_dict


@pytest.mark.django_db
def test_snapshot_for_falls_back_to_the_law_without_a_row():
    EscalationPolicy.objects.filter(channel="central").delete()
    snap = EscalationPolicy.snapshot_for("central")
    assert (snap.file_within, snap.forward_within) == (2 * H, H)
