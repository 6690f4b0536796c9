"""PURE: clock instants from (opened_at, policy snapshot) — table-driven, no DB
(docs/ARCHITECTURE.md, "Conventions")."""

from datetime import UTC, datetime, timedelta

import pytest

from escalation.rules import (
    DeadlineTimes,
    PolicySnapshot,
    deadline_times,
    lateness,
    next_fire,
    statutory_policy,
)

T0 = datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)
CHANNELS = ("cii", "central", "general")
FILE = {"cii": H, "central": 2 * H, "general": 4 * H}
FORWARD = {"cii": 30 * M, "central": H, "general": H}


def policy(channel, **overrides) -> PolicySnapshot:
    base = statutory_policy(channel)
    return PolicySnapshot(
        channel=channel,
        file_within=overrides.get("file_within", base.file_within),
        forward_within=overrides.get("forward_within", base.forward_within),
        auto_forward_margin=overrides.get("auto_forward_margin", base.auto_forward_margin),
        reminder_fractions=overrides.get("reminder_fractions", base.reminder_fractions),
    )


# -- every channel × kind under the statutory policy ---------------------------------------

STATUTORY_TABLE = [
    # channel, kind, due after, act after, reminders after
    ("cii", "file", H, None, (30 * M, 48 * M)),
    ("central", "file", 2 * H, None, (H, 96 * M)),
    ("general", "file", 4 * H, None, (2 * H, 192 * M)),
    ("cii", "forward", 30 * M, 25 * M, (15 * M, 24 * M)),
    ("central", "forward", H, 55 * M, (30 * M, 48 * M)),
    ("general", "forward", H, 55 * M, (30 * M, 48 * M)),
    # T0 is 09:00 on 1 March in Beijing: the 30 days run from 2 March to 24:00 on 31 March
    # (issue 11, item 14), reminders a week and a day before
    *[
        (
            c,
            "summary",
            timedelta(days=30, hours=15),
            None,
            (timedelta(days=23, hours=15), timedelta(days=29, hours=15)),
        )
        for c in CHANNELS
    ],
]


@pytest.mark.parametrize(("channel", "kind", "due", "act", "reminders"), STATUTORY_TABLE)
def test_statutory_times(channel, kind, due, act, reminders):
    times = deadline_times(kind, T0, statutory_policy(channel))
    assert times == DeadlineTimes(
        statutory_due_at=T0 + due,
        due_at=T0 + due,
        act_at=None if act is None else T0 + act,
        remind_at=tuple(T0 + r for r in reminders),
    )


@pytest.mark.parametrize("channel", CHANNELS)
def test_info_request_is_due_when_the_reviewer_says(channel):
    due = T0 + timedelta(days=2)
    times = deadline_times("info_request", T0, statutory_policy(channel), due_at=due)
    assert (times.statutory_due_at, times.due_at, times.act_at) == (due, due, None)
    assert times.remind_at == (T0 + timedelta(days=1), T0 + timedelta(hours=38, minutes=24))


@pytest.mark.parametrize("channel", CHANNELS)
def test_forward_clock_started_later_counts_from_that_moment(channel):
    """Graded up later: the forward clock opens at the regrading instant, not at receipt."""
    regraded = T0 + timedelta(days=3, hours=5, minutes=7, seconds=11)
    times = deadline_times("forward", regraded, statutory_policy(channel))
    assert times.statutory_due_at == regraded + FORWARD[channel]


# -- stricter-than-statute policies ---------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_stricter_file_policy_moves_due_but_not_the_statutory_limit(channel):
    times = deadline_times("file", T0, policy(channel, file_within=20 * M))
    assert times.statutory_due_at == T0 + FILE[channel]
    assert times.due_at == T0 + 20 * M
    assert times.remind_at == (T0 + 10 * M, T0 + 16 * M)


@pytest.mark.parametrize("channel", CHANNELS)
def test_stricter_forward_policy(channel):
    times = deadline_times("forward", T0, policy(channel, forward_within=20 * M))
    assert times.statutory_due_at == T0 + FORWARD[channel]
    assert times.due_at == T0 + 20 * M
    assert times.act_at == T0 + 15 * M


@pytest.mark.parametrize("kind", ["file", "forward"])
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_looser_snapshot_is_clamped_to_the_law(channel, kind):
    times = deadline_times(kind, T0, policy(channel, file_within=48 * H, forward_within=48 * H))
    limit = (FILE if kind == "file" else FORWARD)[channel]
    assert times.due_at == times.statutory_due_at == T0 + limit


# -- margin and reminders ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "margin", "act", "reminders"),
    [
        ("cii", 5 * M, 25 * M, (15 * M, 24 * M)),
        ("cii", 10 * M, 20 * M, (15 * M,)),  # the 80 % reminder would come after the act
        ("cii", 0 * M, 30 * M, (15 * M, 24 * M)),
        ("general", 15 * M, 45 * M, (30 * M,)),
        ("central", 12 * M, 48 * M, (30 * M,)),  # a reminder at the act instant is dropped
        ("central", 11 * M, 49 * M, (30 * M, 48 * M)),
    ],
)
def test_forward_margin_and_reminders_strictly_before_act(channel, margin, act, reminders):
    times = deadline_times("forward", T0, policy(channel, auto_forward_margin=margin))
    assert times.act_at == T0 + act
    assert times.remind_at == tuple(T0 + r for r in reminders)
    assert all(r < times.act_at for r in times.remind_at)


def test_reminder_fractions_are_sorted_and_custom():
    times = deadline_times("file", T0, policy("general", reminder_fractions=(0.9, 0.25)))
    assert times.remind_at == (T0 + H, T0 + 216 * M)


def test_no_reminders():
    times = deadline_times("file", T0, policy("general", reminder_fractions=()))
    assert times.remind_at == ()


# -- next_fire: strictly after, the boundary second ----------------------------------------


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (T0, T0 + 15 * M),  # first reminder
        (T0 + 15 * M - S, T0 + 15 * M),
        (T0 + 15 * M, T0 + 24 * M),  # strictly after: the reminder just sent is not repeated
        (T0 + 24 * M, T0 + 25 * M),  # the automatic forward
        (T0 + 25 * M, T0 + 30 * M),  # the due instant
        (T0 + 30 * M - S, T0 + 30 * M),
        (T0 + 30 * M, None),  # nothing left to do
        (T0 + 2 * H, None),
    ],
)
def test_next_fire_of_a_cii_forward_clock(after, expected):
    times = deadline_times("forward", T0, statutory_policy("cii"))
    assert next_fire(times, after=after) == expected


@pytest.mark.parametrize("channel", CHANNELS)
def test_next_fire_of_a_file_clock_ends_at_due(channel):
    times = deadline_times("file", T0, statutory_policy(channel))
    assert next_fire(times, after=T0 + FILE[channel] - S) == T0 + FILE[channel]
    assert next_fire(times, after=T0 + FILE[channel]) is None


# -- legal lateness: against the statutory limit only --------------------------------------


@pytest.mark.parametrize(
    ("met_after", "expected"),
    [
        (FILE["general"] - S, None),
        (FILE["general"], None),  # exactly at the limit: on time (≤)
        (FILE["general"] + S, S),
        (FILE["general"] + 90 * M, 90 * M),
    ],
)
def test_lateness_boundary(met_after, expected):
    times = deadline_times("file", T0, statutory_policy("general"))
    assert lateness(T0 + met_after, times.statutory_due_at) == expected


@pytest.mark.parametrize("channel", CHANNELS)
def test_late_against_a_stricter_target_is_not_legal_lateness(channel):
    times = deadline_times("file", T0, policy(channel, file_within=5 * M))
    met = T0 + 6 * M
    assert met > times.due_at
    assert lateness(met, times.statutory_due_at) is None


# -- refused input -------------------------------------------------------------------------


def test_naive_opened_at_is_refused():
    with pytest.raises(ValueError, match="aware"):
        deadline_times("file", datetime(2026, 3, 1, 9, 0), statutory_policy("general"))


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        deadline_times("nap", T0, statutory_policy("general"))


def test_info_request_needs_its_due_time():
    with pytest.raises(ValueError):
        deadline_times("info_request", T0, statutory_policy("general"))


@pytest.mark.parametrize(
    ("channel", "file", "forward"), [(c, FILE[c], FORWARD[c]) for c in CHANNELS]
)
def test_statutory_policy(channel, file, forward):
    p = statutory_policy(channel)
    assert (p.file_within, p.forward_within) == (file, forward)
    assert p.auto_forward_margin == 5 * M
    assert p.reminder_fractions == (0.5, 0.8)
