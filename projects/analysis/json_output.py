"""The JSON object that ``manage.py runchart --json`` prints for a result."""

from __future__ import annotations

from projects.analysis.results import ChartResult, Phase


def _json_number(value: float | None) -> int | float | None:
    if value is None:
        return None
    # Whole numbers print as integers while a float still holds them exactly.
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _phase_json(result: ChartResult, phase: Phase) -> dict[str, object]:
    figures: dict[str, object] = {"centre": _json_number(phase.centre)}
    if result.chart == "xmr":
        figures["lower_limit"] = _json_number(phase.lower_limit)
        figures["upper_limit"] = _json_number(phase.upper_limit)
    elif result.chart == "p":
        figures["lower_limits"] = [_json_number(x) for x in result.lower_limit[phase.start : phase.stop]]
        figures["upper_limits"] = [_json_number(x) for x in result.upper_limit[phase.start : phase.stop]]
    stats = phase.run_stats
    if stats is not None and result.rules == "ihi":
        figures["useful_observations"] = stats.useful_observations
        figures["runs"] = stats.runs
    elif stats is not None:
        figures["useful_observations"] = stats.useful_observations
        figures["longest_run"] = stats.longest_run
        figures["longest_run_max"] = stats.longest_run_max
        figures["crossings"] = stats.crossings
        figures["crossings_min"] = stats.crossings_min
    return figures


def to_json_dict(result: ChartResult) -> dict[str, object]:
    """Return the JSON object that ``manage.py runchart --json`` prints.

    Keys: rules, n, centre, then lower_limit/upper_limit (XmR) or the run figures
    (ihi: useful_observations, runs; anhoej: useful_observations, longest_run,
    longest_run_max, crossings, crossings_min), then signals. A P chart has per-point
    lower_limits/upper_limits lists. With several phases the figures are those of
    the last (current) phase and a "phases" list gives each phase's start, stop and figures.
    """
    data: dict[str, object] = {"rules": result.rules, "n": result.n}
    data.update(_phase_json(result, result.phases[-1]))
    if len(result.phases) > 1:
        data["phases"] = [
            {"start": phase.start, "stop": phase.stop, **_phase_json(result, phase)}
            for phase in result.phases
        ]
    data["signals"] = [
        {"rule": signal.rule, "direction": signal.direction, "points": list(signal.points)}
        for signal in result.signals
    ]
    return data
