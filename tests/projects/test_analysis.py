"""Rules of projects.analysis against the definitions in runcharts.md."""

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest

from projects.analysis import (
    AnalysisError,
    Assurance,
    Signal,
    Variation,
    analyse,
    anhoej_limits,
    assurance,
    ihi_runs_limits,
    p_chart,
    run_chart,
    to_fraction,
    to_json_dict,
    variation,
    xmr_chart,
)

# The critical values from runcharts.md: n, longest_run_max, crossings_min, runs_lower, runs_upper.
# Embedded on purpose: the suite must not depend on the shared document being present.
CRITICAL_VALUES = [
    (10, 6, 2, 3, 9),
    (11, 6, 2, 3, 10),
    (12, 7, 3, 3, 11),
    (13, 7, 3, 4, 11),
    (14, 7, 4, 4, 12),
    (15, 7, 4, 4, 13),
    (16, 7, 4, 5, 13),
    (17, 7, 5, 5, 14),
    (18, 7, 5, 6, 14),
    (19, 7, 6, 6, 15),
    (20, 7, 6, 6, 16),
    (21, 7, 6, 7, 16),
    (22, 7, 7, 7, 17),
    (23, 8, 7, 8, 17),
    (24, 8, 8, 8, 18),
    (25, 8, 8, 9, 18),
    (26, 8, 8, 9, 19),
    (27, 8, 9, 9, 20),
    (28, 8, 9, 10, 20),
    (29, 8, 10, 10, 21),
    (30, 8, 10, 11, 21),
    (31, 8, 11, 11, 22),
    (32, 8, 11, 11, 23),
    (33, 8, 11, 12, 23),
    (34, 8, 12, 12, 24),
    (35, 8, 12, 13, 24),
    (36, 8, 13, 13, 25),
    (37, 8, 13, 14, 25),
    (38, 8, 14, 14, 26),
    (39, 8, 14, 14, 27),
    (40, 8, 14, 15, 27),
    (41, 8, 15, 15, 28),
    (42, 8, 15, 16, 28),
    (43, 8, 16, 16, 29),
    (44, 8, 16, 17, 29),
    (45, 8, 17, 17, 30),
    (46, 9, 17, 17, 31),
    (47, 9, 17, 18, 31),
    (48, 9, 18, 18, 32),
    (49, 9, 18, 19, 32),
    (50, 9, 19, 19, 33),
    (51, 9, 19, 20, 33),
    (52, 9, 20, 20, 34),
    (53, 9, 20, 21, 34),
    (54, 9, 21, 21, 35),
    (55, 9, 21, 21, 36),
    (56, 9, 21, 22, 36),
    (57, 9, 22, 22, 37),
    (58, 9, 22, 23, 37),
    (59, 9, 23, 23, 38),
    (60, 9, 23, 24, 38),
]

CDI = [17, 12, 27, 20, 20, 18, 22, 19, 19, 24, 17, 16, 24, 19, 19, 22, 25, 19]
CDI += [17, 6, 25, 17, 11, 14, 9, 11, 7, 13, 5, 5, 3, 5, 9, 4, 5, 9]
MONTGOMERY = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306, 294, 299, 297, 299]
MONTGOMERY += [314, 295, 293, 306, 301, 304, 305, 282, 305, 296, 314, 295, 287]
MONTGOMERY += [301, 298, 311, 310, 292, 305, 299, 304, 310, 304, 305, 333, 328]
# A baseline with mean 5 and MR̄ 10: limits -21.6 to 31.6, 2-sigma lines at 5 ± 17.7333….
WIDE_BASELINE = [10, 0, 10, 0]
# A baseline with mean 1.5 and MR̄ 3: limits -6.48 to 9.48, 2-sigma lines exactly at -3.82 and 6.82.
NARROW_BASELINE = [0, 3, 0, 3]


def _signals(result):
    return [(s.rule, s.direction, list(s.points)) for s in result.signals]


def _swed_eisenhart_direct(n):
    """The same critical values straight from the textbook formula, as an independent check."""
    m, k = n // 2, n - n // 2
    total = comb(n, m)
    counts = {}
    for runs in range(2, n + 1):
        s = runs // 2
        if runs % 2 == 0:
            counts[runs] = 2 * comb(m - 1, s - 1) * comb(k - 1, s - 1)
        else:
            counts[runs] = comb(m - 1, s - 1) * comb(k - 1, s) + comb(m - 1, s) * comb(k - 1, s - 1)
    lower = max(
        r for r in counts if Fraction(sum(counts[x] for x in counts if x <= r), total) <= Fraction(1, 20)
    )
    upper = min(
        r for r in counts if Fraction(sum(counts[x] for x in counts if x >= r), total) <= Fraction(1, 20)
    )
    return lower, upper


# --- Critical values -------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "longest_run_max", "crossings_min", "runs_lower", "runs_upper"), CRITICAL_VALUES
)
def test_critical_values_match_published_table(n, longest_run_max, crossings_min, runs_lower, runs_upper):
    assert anhoej_limits(n) == (longest_run_max, crossings_min)
    assert ihi_runs_limits(n) == (runs_lower, runs_upper)


def test_ihi_runs_limits_beyond_sixty_follow_swed_eisenhart():
    computed = {n: ihi_runs_limits(n) for n in range(61, 121)}

    assert computed == {n: _swed_eisenhart_direct(n) for n in range(61, 121)}
    assert computed[61] == (24, 39)
    assert computed[100] == (42, 60)


def test_ihi_runs_limits_below_ten_useful_observations_do_not_apply():
    assert [ihi_runs_limits(n) for n in range(10)] == [None] * 10


def test_anhoej_limits_beyond_sixty_use_the_same_formulas():
    # round(log2(100)) + 3 = 7 + 3; qbinom(0.05, 99, 0.5) = 41.
    assert anhoej_limits(100) == (10, 41)
    assert anhoej_limits(1000) == (13, 474)


def test_anhoej_limits_small_and_zero_useful_observations():
    assert anhoej_limits(0) is None
    assert anhoej_limits(1) == (3, 0)
    assert anhoej_limits(3) == (5, 0)  # round(1.585) = 2
    assert anhoej_limits(9) == (6, 2)


# --- Input ---------------------------------------------------------------------------


def test_to_fraction_reads_every_input_type_exactly():
    assert to_fraction("0.1") == Fraction(1, 10)
    assert to_fraction(" 12.50 ") == Fraction(25, 2)
    assert to_fraction(Decimal("-3.25")) == Fraction(-13, 4)
    assert to_fraction(7) == Fraction(7)
    assert to_fraction(0.1) == Fraction(1, 10)
    assert to_fraction("1e3") == Fraction(1000)


@pytest.mark.parametrize(
    "value",
    ["abc", "", "NaN", "inf", "-Infinity", float("nan"), float("inf"), Decimal("NaN"), True, None, "1e400"],
)
def test_to_fraction_rejects_values_that_are_not_finite_numbers(value):
    with pytest.raises(AnalysisError):
        to_fraction(value)


def test_analyse_empty_series_is_an_error():
    with pytest.raises(AnalysisError, match="empty"):
        analyse([], "ihi")


def test_analyse_non_finite_value_names_its_position():
    with pytest.raises(AnalysisError, match="position 2"):
        analyse([1, 2, float("nan"), 4], "spc")


@pytest.mark.parametrize("baseline", [0, -1, 5])
def test_analyse_baseline_outside_the_series_is_an_error(baseline):
    with pytest.raises(AnalysisError, match="baseline"):
        analyse([1, 2, 3, 4], "anhoej", baseline=baseline)


def test_analyse_unknown_rule_set_is_an_error():
    with pytest.raises(AnalysisError, match="Unknown rule set 'western_electric'"):
        analyse([1, 2, 3], "western_electric")


@pytest.mark.parametrize("phases", [[0], [3, 2], [4], [2, 2]])
def test_analyse_phase_starts_must_increase_inside_the_series(phases):
    with pytest.raises(AnalysisError, match="Phase starts"):
        analyse([1, 2, 3, 4], "spc", phases=phases)


def test_analyse_baseline_longer_than_first_phase_is_an_error():
    with pytest.raises(AnalysisError, match="longer than the first phase"):
        analyse([1, 2, 3, 4, 5, 6], "spc", baseline=4, phases=[3])


@pytest.mark.parametrize("length", [5, 9])
def test_xmr_chart_shift_and_trend_lengths_are_six_to_eight(length):
    with pytest.raises(AnalysisError, match="6, 7 or 8"):
        xmr_chart([1, 2, 3], shift_length=length)
    with pytest.raises(AnalysisError, match="6, 7 or 8"):
        xmr_chart([1, 2, 3], trend_length=length)


# --- IHI run chart ------------------------------------------------------------------------


def test_ihi_cdi_worked_example():
    result = run_chart(CDI, rules="ihi")

    assert result.centre[0] == 17
    assert result.phases[0].run_stats.useful_observations == 32
    assert result.phases[0].run_stats.runs == 7
    assert _signals(result) == [
        ("shift", "up", [2, 3, 4, 5, 6, 7, 8, 9]),
        ("shift", "up", [12, 13, 14, 15, 16, 17]),
        ("shift", "down", list(range(22, 36))),
        ("too_few_runs", None, list(range(36))),
    ]


def test_ihi_all_points_equal_gives_no_useful_observations_and_no_signal():
    result = run_chart([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], rules="ihi")

    assert to_json_dict(result) == {
        "rules": "ihi",
        "n": 12,
        "centre": 4,
        "useful_observations": 0,
        "runs": 0,
        "signals": [],
    }


def test_ihi_shift_skips_points_on_the_median():
    # Sorted: 1 1 2 2 3 5 5 10 10 10 10 10 10, so the median is 5 (positions 5 and 8).
    values = [1, 2, 3, 10, 10, 5, 10, 10, 5, 10, 10, 1, 2]

    result = run_chart(values, rules="ihi")

    assert result.centre[0] == 5
    assert result.phases[0].run_stats.useful_observations == 11
    assert _signals(result) == [("shift", "up", [3, 4, 6, 7, 9, 10])]


def test_ihi_shift_needs_six_useful_observations():
    five_above = [1, 1, 1, 1, 1, 9, 9, 9, 9, 9]

    result = run_chart(five_above, rules="ihi")

    assert [s.rule for s in result.signals] == ["too_few_runs"]


def test_ihi_trend_counts_tied_values_as_one_group():
    result = run_chart([1, 2, 2, 3, 4, 4, 5], rules="ihi")

    assert _signals(result) == [("trend", "up", [0, 1, 2, 3, 4, 5, 6])]


def test_ihi_trend_of_four_groups_with_ties_does_not_signal():
    result = run_chart([1, 2, 2, 3, 4, 4], rules="ihi")

    assert result.signals == ()


def test_ihi_trend_lists_tied_values_at_either_end():
    result = run_chart([3, 3, 4, 5, 6, 7, 7], rules="ihi")

    assert _signals(result) == [("trend", "up", [0, 1, 2, 3, 4, 5, 6])]


def test_ihi_opposite_trends_share_the_turning_group():
    result = run_chart([1, 2, 3, 4, 5, 5, 4, 3, 2, 1], rules="ihi")

    assert _signals(result) == [
        ("trend", "up", [0, 1, 2, 3, 4, 5]),
        ("trend", "down", [4, 5, 6, 7, 8, 9]),
    ]


def test_ihi_trend_may_cross_the_median():
    result = run_chart([9, 1, 2, 3, 4, 5, 6, 7, 8, 0], rules="ihi")

    assert _signals(result) == [("trend", "up", [1, 2, 3, 4, 5, 6, 7, 8])]


def test_ihi_too_few_runs_below_the_table_value():
    # 10 useful observations in 2 runs; the table's runs_lower for 10 is 3.
    result = run_chart([1, 1, 1, 1, 1, 9, 9, 9, 9, 9], rules="ihi")

    assert result.phases[0].run_stats.runs == 2
    assert _signals(result) == [("too_few_runs", None, list(range(10)))]


def test_ihi_too_many_runs_above_the_table_value():
    # 10 runs in 10 useful observations; the table's runs_upper for 10 is 9.
    result = run_chart([1, 9, 1, 9, 1, 9, 1, 9, 1, 9], rules="ihi")

    assert result.phases[0].run_stats.runs == 10
    assert _signals(result) == [("too_many_runs", None, list(range(10)))]


def test_ihi_runs_rule_needs_ten_useful_observations():
    # Median 5: 9 useful observations in only 2 runs, but the rule does not apply below 10.
    result = run_chart([1, 1, 1, 1, 5, 5, 9, 9, 9, 9, 9], rules="ihi")

    assert result.phases[0].run_stats.useful_observations == 9
    assert result.phases[0].run_stats.runs_lower is None
    assert result.signals == ()


def test_ihi_very_short_series_does_not_signal():
    assert run_chart([5], rules="ihi").signals == ()
    assert to_json_dict(run_chart([1, 2], rules="ihi"))["runs"] == 2


def test_ihi_baseline_freezes_the_median():
    result = run_chart([1, 2, 3, 10, 11, 12, 13, 14, 15], rules="ihi", baseline=3)

    assert result.centre == (2.0,) * 9
    assert result.phases[0].baseline == 3
    assert _signals(result) == [
        ("trend", "up", [0, 1, 2, 3, 4, 5, 6, 7, 8]),
        ("shift", "up", [2, 3, 4, 5, 6, 7, 8]),
    ]


# --- Anhøj run chart ------------------------------------------------------------------------


def test_anhoej_cdi_worked_example():
    result = run_chart(CDI, rules="anhoej")

    assert to_json_dict(result) == {
        "rules": "anhoej",
        "n": 36,
        "centre": 17,
        "useful_observations": 32,
        "longest_run": 14,
        "longest_run_max": 8,
        "crossings": 6,
        "crossings_min": 11,
        "signals": [
            {"rule": "long_run", "direction": None, "points": list(range(36))},
            {"rule": "few_crossings", "direction": None, "points": list(range(36))},
        ],
    }


def test_anhoej_cdi_with_baseline_of_24():
    stats = run_chart(CDI, rules="anhoej", baseline=24).phases[0].run_stats

    assert (stats.useful_observations, stats.longest_run, stats.crossings) == (31, 15, 8)


def test_anhoej_long_run_without_few_crossings():
    # 30 useful observations: a run of 9 below (more than 8), then 13 crossings (not fewer than 10).
    values = [1] * 9 + [9, 9, 1] * 6 + [9, 9, 9]

    result = run_chart(values, rules="anhoej")

    stats = result.phases[0].run_stats
    assert (stats.longest_run, stats.longest_run_max, stats.crossings, stats.crossings_min) == (9, 8, 13, 10)
    assert _signals(result) == [("long_run", None, list(range(30)))]


def test_anhoej_few_crossings_without_long_run():
    # 20 useful observations in runs of 4, 4, 3, 3, 3, 3: 5 crossings, fewer than 6.
    values = [1] * 4 + [9] * 4 + [1] * 3 + [9] * 3 + [1] * 3 + [9] * 3

    result = run_chart(values, rules="anhoej")

    stats = result.phases[0].run_stats
    assert (stats.longest_run, stats.longest_run_max, stats.crossings, stats.crossings_min) == (4, 7, 5, 6)
    assert _signals(result) == [("few_crossings", None, list(range(20)))]


def test_anhoej_limits_themselves_do_not_signal():
    # 20 useful observations in runs of 7, 4, 1, 3, 1, 3, 1: longest run 7 (= max), 6 crossings (= min).
    values = [1] * 7 + [9] * 4 + [1] + [9] * 3 + [1] + [9] * 3 + [1]

    result = run_chart(values, rules="anhoej")

    stats = result.phases[0].run_stats
    assert (stats.longest_run, stats.longest_run_max, stats.crossings, stats.crossings_min) == (7, 7, 6, 6)
    assert result.signals == ()


def test_anhoej_all_points_on_the_median_reports_null_limits():
    result = run_chart([3, 3, 3], rules="anhoej")

    assert to_json_dict(result) == {
        "rules": "anhoej",
        "n": 3,
        "centre": 3,
        "useful_observations": 0,
        "longest_run": 0,
        "longest_run_max": None,
        "crossings": 0,
        "crossings_min": None,
        "signals": [],
    }


def test_anhoej_points_on_the_median_neither_extend_nor_break_a_run():
    # Median 5; the 5s are skipped, so the low run is 1 1 1 1 1 1 1 1 (8) and there is one crossing.
    values = [1, 1, 5, 1, 1, 5, 1, 1, 1, 1, 9, 9, 5, 9, 9, 9, 9, 9, 9]

    stats = run_chart(values, rules="anhoej").phases[0].run_stats

    assert (stats.useful_observations, stats.longest_run, stats.crossings) == (16, 8, 1)


def test_run_chart_phases_have_their_own_median_and_chart_wide_signals():
    first = [1, 1, 1, 1, 1, 9, 9, 9, 9, 9]
    second = [21, 29, 21, 29, 21, 29, 21, 29, 21, 29]

    result = run_chart(first + second, rules="ihi", phases=[10])

    assert [phase.centre for phase in result.phases] == [5.0, 25.0]
    assert result.centre == (5.0,) * 10 + (25.0,) * 10
    assert _signals(result) == [
        ("too_few_runs", None, list(range(10))),
        ("too_many_runs", None, list(range(10, 20))),
    ]


# --- XmR chart ------------------------------------------------------------------------------


def test_xmr_montgomery_limits_from_first_twenty_points():
    result = xmr_chart(MONTGOMERY, baseline=20)

    phase = result.phases[0]
    assert phase.centre == 300.5
    assert phase.mr_bar == pytest.approx(148 / 19, rel=1e-15)
    assert (phase.lower_limit, phase.upper_limit) == (279.78, 321.22)
    assert phase.trial_limits is False
    assert _signals(result) == [
        ("outside_limits", "up", [38]),
        ("two_of_three", "up", [38, 39]),
        ("outside_limits", "up", [39]),
    ]


def test_xmr_cdi_worked_example():
    result = xmr_chart(CDI)

    assert to_json_dict(result) == {
        "rules": "spc",
        "n": 36,
        "centre": 89 / 6,
        "lower_limit": pytest.approx(2.2173333333333334, rel=1e-12),
        "upper_limit": pytest.approx(27.449333333333332, rel=1e-12),
        "signals": [
            {"rule": "shift", "direction": "up", "points": list(range(2, 19))},
            {"rule": "shift", "direction": "down", "points": list(range(22, 36))},
            {"rule": "two_of_three", "direction": "down", "points": [28, 29, 30, 31, 33, 34]},
        ],
    }


def test_xmr_value_exactly_on_the_upper_limit_is_not_outside():
    # Mean 3.45, MR̄ 1.3: the upper limit is exactly 6.908 (binary floats make it 6.9079999…).
    on_the_line = xmr_chart(["3.2", "4.3", "2.6", "3.7", "6.908"], baseline=4)
    beyond = xmr_chart(["3.2", "4.3", "2.6", "3.7", "6.909"], baseline=4)

    assert on_the_line.phases[0].upper_limit == 6.908
    assert on_the_line.signals == ()
    assert _signals(beyond) == [("outside_limits", "up", [4])]


def test_xmr_float_input_is_read_as_its_decimal():
    result = xmr_chart([3.2, 4.3, 2.6, 3.7, 6.908], baseline=4)

    assert result.signals == ()


def test_xmr_value_exactly_on_the_lower_limit_is_not_outside():
    # Mean 1.5, MR̄ 3: the lower limit is exactly -6.48.
    assert xmr_chart([*NARROW_BASELINE, "-6.48"], baseline=4).signals == ()
    assert _signals(xmr_chart([*NARROW_BASELINE, "-6.49"], baseline=4)) == [("outside_limits", "down", [4])]


def test_xmr_mr_bar_of_zero_puts_limits_on_the_mean():
    result = xmr_chart([5, 5, 5, 5, 6, 4], baseline=4)

    phase = result.phases[0]
    assert (phase.mr_bar, phase.lower_limit, phase.centre, phase.upper_limit) == (0.0, 5.0, 5.0, 5.0)
    assert _signals(result) == [("outside_limits", "up", [4]), ("outside_limits", "down", [5])]


def test_xmr_all_points_equal_has_no_signal():
    result = xmr_chart([7, 7, 7, 7, 7, 7, 7, 7, 7, 7])

    assert (result.phases[0].lower_limit, result.phases[0].upper_limit) == (7, 7)
    assert result.signals == ()


def test_xmr_fewer_than_two_baseline_points_has_no_limits_but_shift_and_trend_apply():
    result = xmr_chart([0, 1, 2, 3, 4, 5, 6, 7, 100], baseline=1)

    assert to_json_dict(result) == {
        "rules": "spc",
        "n": 9,
        "centre": 0,
        "lower_limit": None,
        "upper_limit": None,
        "signals": [
            {"rule": "trend", "direction": "up", "points": [0, 1, 2, 3, 4, 5, 6, 7, 8]},
            {"rule": "shift", "direction": "up", "points": [1, 2, 3, 4, 5, 6, 7, 8]},
        ],
    }


def test_xmr_single_point_series_does_not_signal():
    result = xmr_chart(["42.5"])

    assert (result.n, result.centre, result.lower_limit, result.signals) == (1, (42.5,), (None,), ())


def test_xmr_trial_limits_below_twelve_baseline_points():
    assert xmr_chart(list(range(11))).phases[0].trial_limits is True
    assert xmr_chart(list(range(12)), baseline=11).phases[0].trial_limits is True
    assert xmr_chart(list(range(12))).phases[0].trial_limits is False


def test_xmr_shift_of_seven_points_above_the_mean():
    result = xmr_chart([*WIDE_BASELINE, 6, 6, 6, 6, 6, 6, 6], baseline=4)

    assert _signals(result) == [("shift", "up", [4, 5, 6, 7, 8, 9, 10])]


def test_xmr_shift_of_six_points_needs_shift_length_six():
    values = [*WIDE_BASELINE, 6, 6, 6, 6, 6, 6]

    assert xmr_chart(values, baseline=4).signals == ()
    assert _signals(xmr_chart(values, baseline=4, shift_length=6)) == [("shift", "up", [4, 5, 6, 7, 8, 9])]


def test_xmr_point_on_the_mean_breaks_a_shift():
    result = xmr_chart([*WIDE_BASELINE, 6, 6, 6, 5, 6, 6, 6], baseline=4)

    assert result.signals == ()


def test_xmr_trend_of_seven_rising_points():
    result = xmr_chart([0, 10, 0, 10, 1, 2, 3, 4, 5, 6, 7], baseline=4)

    assert _signals(result) == [("trend", "up", [4, 5, 6, 7, 8, 9, 10])]


def test_xmr_equal_value_breaks_a_trend():
    result = xmr_chart([0, 10, 0, 10, 1, 2, 3, 3, 4, 5, 6, 7], baseline=4)

    assert result.signals == ()


def test_xmr_trend_length_six():
    values = [*WIDE_BASELINE, 7, 6, 5, 4, 3, 2]

    assert xmr_chart(values, baseline=4).signals == ()
    assert _signals(xmr_chart(values, baseline=4, trend_length=6)) == [("trend", "down", [4, 5, 6, 7, 8, 9])]


def test_xmr_two_of_three_exactly_on_the_two_sigma_line_is_not_beyond():
    # 2-sigma line at 1.5 + (2/3 × 2.66) × 3 = 6.82 exactly; a rounded 1.7733 would put it at 6.8199.
    assert xmr_chart([*NARROW_BASELINE, "6.82", "6.82", "6.82"], baseline=4).signals == ()
    assert _signals(xmr_chart([*NARROW_BASELINE, "6.83", "6.83", "6.83"], baseline=4)) == [
        ("two_of_three", "up", [4, 5, 6])
    ]


def test_xmr_two_of_three_counts_points_beyond_the_process_limit():
    result = xmr_chart([*NARROW_BASELINE, 10, 7, 1], baseline=4)

    assert _signals(result) == [("outside_limits", "up", [4]), ("two_of_three", "up", [4, 5])]


def test_xmr_two_of_three_point_on_the_mean_spoils_the_window():
    assert xmr_chart([*NARROW_BASELINE, 7, "1.5", 7], baseline=4).signals == ()
    assert _signals(xmr_chart([*NARROW_BASELINE, 7, "1.6", 7], baseline=4)) == [
        ("two_of_three", "up", [4, 6])
    ]


def test_xmr_two_of_three_windows_sharing_a_position_form_one_occurrence():
    # Windows 4-6 and 6-8 qualify and share position 6; window 5-7 does not qualify.
    result = xmr_chart([*NARROW_BASELINE, 7, 2, 7, 2, 7], baseline=4)

    assert _signals(result) == [("two_of_three", "up", [4, 6, 8])]


def test_xmr_two_of_three_windows_apart_are_separate_occurrences():
    result = xmr_chart([*NARROW_BASELINE, 7, 7, 2, 2, 0, 7, 7, 2], baseline=4)

    assert _signals(result) == [("two_of_three", "up", [4, 5]), ("two_of_three", "up", [9, 10])]


def test_xmr_two_of_three_below_the_lower_line():
    result = xmr_chart([*NARROW_BASELINE, -4, -1, -4], baseline=4)

    assert _signals(result) == [("two_of_three", "down", [4, 6])]


def test_xmr_phases_have_their_own_mean_limits_and_moving_ranges():
    result = xmr_chart([1, 2, 1, 2, 10, 11, 10, 11], phases=[4])

    first, second = result.phases
    # Moving ranges stay within a phase: the jump from 2 to 10 is not one of them.
    assert (first.centre, first.mr_bar, second.centre, second.mr_bar) == (1.5, 1.0, 10.5, 1.0)
    assert result.lower_limit == (-1.16,) * 4 + (7.84,) * 4
    assert result.signals == ()


def test_xmr_rules_run_within_a_phase():
    # Four points above the first mean and four above the second: no run of 7 across the rebase.
    values = [0, 2, 0, 2, 3, 3, 3, 3, 10, 10, 10, 10, 8, 9, 8, 9]

    result = xmr_chart(values, phases=[8], baseline=4)

    assert result.signals == ()


@pytest.mark.parametrize(
    "analyse_series",
    [
        lambda values, **kw: run_chart(values, rules="ihi", **kw),
        lambda values, **kw: run_chart(values, rules="anhoej", **kw),
        lambda values, **kw: xmr_chart(values, **kw),
        lambda values, **kw: p_chart(values, [12] * len(values), **kw),
    ],
)
def test_phases_signal_as_if_each_phase_were_its_own_chart(analyse_series):
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] + [1, 9] * 5 + [1, 1, 1, 1, 1, 1, 9, 9, 9, 9]
    starts = [0, 10, 20, 30]

    result = analyse_series(values, phases=starts[1:-1])

    expected = []
    for start, stop in zip(starts, starts[1:], strict=False):
        part = analyse_series(values[start:stop])
        expected += [(s.rule, s.direction, [start + p for p in s.points]) for s in part.signals]
    assert expected
    assert sorted(_signals(result), key=repr) == sorted(expected, key=repr)


def test_xmr_json_with_several_phases_lists_each_phase():
    data = to_json_dict(xmr_chart([1, 2, 1, 2, 10, 11, 10, 11], phases=[4]))

    assert data["centre"] == 10.5
    assert [(phase["start"], phase["stop"], phase["centre"]) for phase in data["phases"]] == [
        (0, 4, 1.5),
        (4, 8, 10.5),
    ]


# --- P chart ----------------------------------------------------------------------------------


def test_p_chart_point_exactly_on_the_limit_is_not_outside():
    # p̄ = 0.5 and n = 100: limits exactly 0.35 and 0.65.
    result = p_chart([50, 50, 65, 66, 35, 34], [100] * 6, baseline=2)

    assert result.centre[0] == 0.5
    assert (result.lower_limit[2], result.upper_limit[2]) == pytest.approx((0.35, 0.65))
    assert _signals(result) == [("outside_limits", "up", [3]), ("outside_limits", "down", [5])]


def test_p_chart_limits_are_clipped_to_zero_and_one():
    result = p_chart([1, 1, 0, 9], [10, 10, 10, 10], baseline=2)

    # p̄ = 0.1 and n = 10: 0.1 ± 3 × 0.0949, so the lower limit is clipped to 0.
    assert result.lower_limit == (0.0, 0.0, 0.0, 0.0)
    assert result.upper_limit[0] == pytest.approx(0.1 + 3 * (0.09 / 10) ** 0.5)
    assert _signals(result) == [("outside_limits", "up", [3])]


def test_p_chart_limits_vary_with_the_denominator():
    result = p_chart([10, 20, 5], [100, 400, 25])

    # p̄ = 35 / 525 = 1/15.
    assert result.centre == (1 / 15,) * 3
    assert result.upper_limit[0] == pytest.approx(1 / 15 + 3 * ((1 / 15) * (14 / 15) / 100) ** 0.5)
    assert result.upper_limit[1] == pytest.approx(1 / 15 + 3 * ((1 / 15) * (14 / 15) / 400) ** 0.5)
    assert result.lower_limit[2] == 0.0


def test_p_chart_shift_and_trend_against_p_bar():
    numerators = [5, 5, 5, 5, 5, 5, 5, 1, 2, 3, 4, 6, 7, 8]

    result = p_chart(numerators, [20] * 14, baseline=7)

    # p̄ = 0.25: positions 0-6 are on it, 7-10 below and 11-13 above; 1 … 8 rise over 7 points.
    assert _signals(result) == [("trend", "up", [7, 8, 9, 10, 11, 12, 13])]


@pytest.mark.parametrize(
    ("numerators", "denominators", "message"),
    [
        ([1, 2], [10], "each point needs both"),
        ([1, 2], [10, 0], "Denominator at position 1"),
        ([1, 11], [10, 10], "Numerator at position 1"),
        ([-1, 1], [10, 10], "Numerator at position 0"),
    ],
)
def test_p_chart_rejects_impossible_proportions(numerators, denominators, message):
    with pytest.raises(AnalysisError, match=message):
        p_chart(numerators, denominators)


# --- Reading a signal ---------------------------------------------------------------------------


def test_variation_common_cause_when_the_last_point_has_no_signal():
    result = xmr_chart(MONTGOMERY[:20])

    assert variation(result, "up") == Variation.COMMON_CAUSE


def test_variation_special_cause_on_the_better_and_worse_side():
    result = xmr_chart(MONTGOMERY, baseline=20)

    assert variation(result, "up") == Variation.IMPROVEMENT
    assert variation(result, "down") == Variation.CONCERN
    assert variation(result) == Variation.HIGH


def test_variation_trend_is_judged_by_its_direction():
    # Seven falling points, all above the mean.
    result = xmr_chart([*WIDE_BASELINE, 20, 19, 18, 17, 16, 15, 14], baseline=4)

    assert _signals(result) == [
        ("shift", "up", [4, 5, 6, 7, 8, 9, 10]),
        ("trend", "down", [4, 5, 6, 7, 8, 9, 10]),
    ]
    assert variation(result, "down") == Variation.CONCERN
    assert variation(result, "up") == Variation.CONCERN
    assert variation(result) == Variation.HIGH


def test_variation_falling_trend_alone_is_improvement_when_lower_is_better():
    result = xmr_chart([*WIDE_BASELINE, 8, 7, 6, 5, 4, 3, 2], baseline=4)

    assert _signals(result) == [("trend", "down", [4, 5, 6, 7, 8, 9, 10])]
    assert variation(result, "down") == Variation.IMPROVEMENT
    assert variation(result) == Variation.LOW


def test_variation_ignores_chart_wide_run_chart_signals():
    result = run_chart(CDI, rules="anhoej")

    assert variation(result, "down") == Variation.COMMON_CAUSE


def test_variation_rejects_an_unknown_direction():
    with pytest.raises(AnalysisError, match="better direction"):
        variation(xmr_chart([1, 2, 3]), "sideways")


@pytest.mark.parametrize(
    ("target", "better", "expected"),
    [
        (270, "up", Assurance.ALWAYS_MET),
        (330, "up", Assurance.NEVER_MET),
        (300, "up", Assurance.HIT_AND_MISS),
        ("321.22", "up", Assurance.HIT_AND_MISS),
        ("321.23", "up", Assurance.NEVER_MET),
        ("279.78", "up", Assurance.HIT_AND_MISS),
        ("279.77", "up", Assurance.ALWAYS_MET),
        (330, "down", Assurance.ALWAYS_MET),
        (270, "down", Assurance.NEVER_MET),
        (300, "down", Assurance.HIT_AND_MISS),
    ],
)
def test_assurance_against_the_montgomery_limits(target, better, expected):
    # Limits 279.78 to 321.22, exactly.
    result = xmr_chart(MONTGOMERY, baseline=20)

    assert assurance(result, target, better) == expected


def test_assurance_needs_limits_and_a_better_direction():
    assert assurance(xmr_chart(MONTGOMERY), 300, None) is None
    assert assurance(run_chart(MONTGOMERY), 300, "up") is None
    assert assurance(xmr_chart([1, 2, 3], baseline=1), 2, "up") is None


def test_assurance_p_chart_uses_the_last_points_limits():
    # Last point: p̄ = 0.5, n = 100, limits exactly 0.35 to 0.65.
    result = p_chart([50, 50, 50], [100, 100, 100])

    assert assurance(result, "0.3", "up") == Assurance.ALWAYS_MET
    assert assurance(result, "0.35", "up") == Assurance.HIT_AND_MISS
    assert assurance(result, "0.7", "up") == Assurance.NEVER_MET


def test_signal_is_a_plain_value():
    assert Signal("shift", "up", (1, 2)) == Signal("shift", "up", (1, 2))


# --- The package -------------------------------------------------------------------------------

PROJECT_ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys
import projects.analysis as package
names = [module.name for module in pkgutil.iter_modules(package.__path__, "projects.analysis.")]
for name in names:
    importlib.import_module(name)
django = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(json.dumps({"modules": names, "django": django}))
"""


def test_analysis_package_imports_nothing_from_django():
    # A fresh interpreter: pytest-django has already imported Django into this one.
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_MODULE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    imported = json.loads(run.stdout)
    assert "projects.analysis.runs" in imported["modules"]
    assert imported["django"] == []
