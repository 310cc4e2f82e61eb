"""manage.py runchart: JSON and report output, standard input, and bad input."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHECKER = PROJECT_ROOT / "../shared/checks/runchart_examples.py"

CDI = [17, 12, 27, 20, 20, 18, 22, 19, 19, 24, 17, 16, 24, 19, 19, 22, 25, 19]
CDI += [17, 6, 25, 17, 11, 14, 9, 11, 7, 13, 5, 5, 3, 5, 9, 4, 5, 9]
MONTGOMERY = [310, 288, 297, 298, 307, 303, 294, 297, 308, 306, 294, 299, 297, 299]
MONTGOMERY += [314, 295, 293, 306, 301, 304, 305, 282, 305, 296, 314, 295, 287]
MONTGOMERY += [301, 298, 311, 310, 292, 305, 299, 304, 310, 304, 305, 333, 328]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
EVERY_CDI_POINT = list(range(36))


def _csv_text(values, header="period,value"):
    return header + "\n" + "".join(f"{i + 1},{value}\n" for i, value in enumerate(values))


def _write(tmp_path, text, name="series.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _run(*args, stdin=None):
    out = io.StringIO()
    call_command("runchart", *args, stdout=out, stdin=stdin)
    return out.getvalue()


def _run_json(path, rules, baseline=None):
    args = [path, "--rules", rules, "--json"]
    if baseline is not None:
        args += ["--baseline", str(baseline)]
    return json.loads(_run(*args))


# --- Worked examples -----------------------------------------------------------------------


def test_runchart_json_cdi_ihi(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(CDI)), "ihi")

    assert data == {
        "rules": "ihi",
        "n": 36,
        "centre": 17,
        "useful_observations": 32,
        "runs": 7,
        "signals": [
            {"rule": "shift", "direction": "up", "points": [2, 3, 4, 5, 6, 7, 8, 9]},
            {"rule": "shift", "direction": "up", "points": [12, 13, 14, 15, 16, 17]},
            {"rule": "shift", "direction": "down", "points": list(range(22, 36))},
            {"rule": "too_few_runs", "direction": None, "points": EVERY_CDI_POINT},
        ],
    }


def test_runchart_json_cdi_anhoej(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(CDI)), "anhoej")

    assert data == {
        "rules": "anhoej",
        "n": 36,
        "centre": 17,
        "useful_observations": 32,
        "longest_run": 14,
        "longest_run_max": 8,
        "crossings": 6,
        "crossings_min": 11,
        "signals": [
            {"rule": "long_run", "direction": None, "points": EVERY_CDI_POINT},
            {"rule": "few_crossings", "direction": None, "points": EVERY_CDI_POINT},
        ],
    }


def test_runchart_json_cdi_anhoej_with_baseline(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(CDI)), "anhoej", baseline=24)

    assert data == {
        "rules": "anhoej",
        "n": 36,
        "centre": 19,
        "useful_observations": 31,
        "longest_run": 15,
        "longest_run_max": 8,
        "crossings": 8,
        "crossings_min": 11,
        "signals": [
            {"rule": "long_run", "direction": None, "points": EVERY_CDI_POINT},
            {"rule": "few_crossings", "direction": None, "points": EVERY_CDI_POINT},
        ],
    }


def test_runchart_json_cdi_spc(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(CDI)), "spc")

    assert data == {
        "rules": "spc",
        "n": 36,
        "centre": pytest.approx(14.833333333333334, rel=1e-12),
        "lower_limit": pytest.approx(2.2173333333333334, rel=1e-12),
        "upper_limit": pytest.approx(27.449333333333332, rel=1e-12),
        "signals": [
            {"rule": "shift", "direction": "up", "points": list(range(2, 19))},
            {"rule": "shift", "direction": "down", "points": list(range(22, 36))},
            {"rule": "two_of_three", "direction": "down", "points": [28, 29, 30, 31, 33, 34]},
        ],
    }


def test_runchart_json_montgomery_spc_with_baseline(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(MONTGOMERY)), "spc", baseline=20)

    assert data == {
        "rules": "spc",
        "n": 40,
        "centre": 300.5,
        "lower_limit": 279.78,
        "upper_limit": 321.22,
        "signals": [
            {"rule": "outside_limits", "direction": "up", "points": [38]},
            {"rule": "two_of_three", "direction": "up", "points": [38, 39]},
            {"rule": "outside_limits", "direction": "up", "points": [39]},
        ],
    }


def test_runchart_json_montgomery_ihi(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text(MONTGOMERY)), "ihi")

    assert data == {
        "rules": "ihi",
        "n": 40,
        "centre": 302,
        "useful_observations": 40,
        "runs": 21,
        "signals": [{"rule": "shift", "direction": "up", "points": [34, 35, 36, 37, 38, 39]}],
    }


def test_runchart_json_spc_with_one_baseline_point_has_null_limits(tmp_path):
    data = _run_json(_write(tmp_path, _csv_text([4, 5])), "spc", baseline=1)

    assert data == {
        "rules": "spc",
        "n": 2,
        "centre": 4,
        "lower_limit": None,
        "upper_limit": None,
        "signals": [],
    }


def test_runchart_reads_standard_input():
    output = _run("-", "--rules", "spc", "--json", stdin=io.StringIO(_csv_text(MONTGOMERY)))

    assert json.loads(output)["centre"] == 302.35


def test_runchart_accepts_a_byte_order_mark_blank_lines_and_decimals(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfweek,rate\r\nw1, 0.5\r\nw2,0.25\r\n,\r\n\r\nw3,1.0\r\n")

    data = _run_json(str(path), "ihi")

    assert (data["n"], data["centre"]) == (3, 0.5)


def test_runchart_report_names_periods(tmp_path):
    text = "month,infections\n" + "".join(
        f"{MONTHS[i % 12]} {2012 + i // 12},{value}\n" for i, value in enumerate(CDI)
    )
    path = _write(tmp_path, text)

    output = _run(path, "--rules", "spc")

    assert output.splitlines() == [
        f"XmR chart, Making Data Count rules: 36 points from {path}",
        "Mean: 14.8333 (from all 36 points)",
        "Limits: 2.2173 to 27.4493 (mean ± 2.66 × average moving range 4.7429)",
        "",
        "Signals (3):",
        "- Shift: 17 points in a row above the mean, Mar 2012 to Jul 2013.",
        "- Shift: 14 points in a row below the mean, Nov 2013 to Dec 2014.",
        "- Two out of three: May 2014, Jun 2014, Jul 2014, Aug 2014, Oct 2014, Nov 2014 "
        "below the lower 2-sigma line.",
    ]


def test_runchart_report_for_anhoej_rules_with_baseline(tmp_path):
    text = "month,infections\n" + "".join(
        f"{MONTHS[i % 12]} {2012 + i // 12},{value}\n" for i, value in enumerate(CDI)
    )
    path = _write(tmp_path, text)

    output = _run(path, "--rules", "anhoej", "--baseline", "24")

    assert output.splitlines() == [
        f"Run chart, Anhøj rules: 36 points from {path}",
        "Median: 19 (frozen at the first 24 points, Jan 2012 to Dec 2013)",
        "Useful observations: 31 (points not on the median)",
        "Longest run: 15 (signal above 8)",
        "Crossings: 8 (signal below 11)",
        "",
        "Signals (2):",
        "- Unusually long run: 15 points in a row on one side of the median (more than 8).",
        "- Unusually few crossings: the series crosses the median 8 times (fewer than 11).",
    ]


def test_runchart_report_outside_limits_and_no_signals(tmp_path):
    outside = _run(_write(tmp_path, _csv_text(MONTGOMERY)), "--rules", "spc", "--baseline", "20")
    quiet = _run(_write(tmp_path, _csv_text([1, 2, 1, 2]), "quiet.csv"), "--rules", "ihi")

    assert "- Outside the limits: 39 (333) is above the upper limit." in outside.splitlines()
    assert "Warning: trial limits, from fewer than 12 points." not in outside
    assert quiet.splitlines()[-1] == "No signals: the variation looks random (common cause)."


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("period,value\nJan,3\nFeb,abc\n", r"Row 3 of .*series\.csv: 'abc' is not a number\."),
        ("period,value\nJan,3\nFeb,4\nMar,NaN\n", r"Row 4 of .*: 'NaN' is not a finite number\."),
        ("period,value\nJan,3\nFeb,inf\n", r"Row 3 of .*: 'inf' is not a finite number\."),
        ("period,value\nJan,-Infinity\n", r"Row 2 of .*: '-Infinity' is not a finite number\."),
        ("period,value\nJan,3\nFeb\n", r"Row 3 of .*: the value is missing\."),
        ("period,value\nJan,3\nFeb,\n", r"Row 3 of .*: the value is missing\."),
        ("period\nJan\nFeb\n", r"Row 1 of .*: no value column"),
        ('period,value\nJan,3\nFeb,"4\n', r"Row 3 of .*: not valid CSV"),
        ("period,value\n", r"No data rows in .*series\.csv: there is only a header\."),
        ("", r"No data rows in .*series\.csv: it is empty\."),
        ("period,value\nJan,3\x00\n", r"Not a CSV text file: .*series\.csv contains NUL bytes\."),
    ],
)
def test_runchart_bad_input_is_a_command_error_naming_the_row(tmp_path, text, message):
    path = _write(tmp_path, text)

    with pytest.raises(CommandError, match=message):
        _run(path, "--rules", "ihi")


def test_runchart_binary_file_is_not_csv(tmp_path):
    path = tmp_path / "chart.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01")

    with pytest.raises(CommandError, match=r"Not a CSV text file: .*chart\.png is not UTF-8 text\."):
        _run(str(path), "--rules", "spc")


def test_runchart_unreadable_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: No such file or directory"):
        _run(str(tmp_path / "missing.csv"), "--rules", "spc")
    with pytest.raises(CommandError, match="Cannot read"):
        _run(str(tmp_path), "--rules", "spc")


def test_runchart_bad_row_on_standard_input_names_the_row():
    with pytest.raises(CommandError, match=r"Row 3 of standard input: '12,5' is not a number\."):
        _run("-", "--rules", "anhoej", stdin=io.StringIO('period,value\nJan,3\nFeb,"12,5"\n'))


@pytest.mark.parametrize("baseline", ["0", "-2", "37"])
def test_runchart_baseline_outside_the_series_is_a_command_error(tmp_path, baseline):
    path = _write(tmp_path, _csv_text(CDI))

    with pytest.raises(CommandError, match=rf"--baseline must be between 1 and 36 .*, not {baseline}\."):
        _run(path, "--rules", "anhoej", "--baseline", baseline)


def test_runchart_unknown_rule_set_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="invalid choice: 'shewhart'"):
        _run(_write(tmp_path, _csv_text(CDI)), "--rules", "shewhart")


def test_runchart_bad_input_from_the_command_line_exits_without_a_traceback(tmp_path):
    path = _write(tmp_path, "period,value\nJan,3\nFeb,abc\n")

    run = subprocess.run(
        [sys.executable, "manage.py", "runchart", path, "--rules", "ihi", "--json"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == f"CommandError: Row 3 of {path}: 'abc' is not a number.\n"


# --- The external checker -------------------------------------------------------------------


def test_runchart_passes_the_external_checker():
    if not CHECKER.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The external checker {CHECKER} is missing; CI must run it.")
        pytest.skip(f"The external checker {CHECKER} is not present on this machine.")

    run = subprocess.run(
        [sys.executable, str(CHECKER)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert re.fullmatch(r"\d+ passed, 0 failed", run.stdout.splitlines()[-1])


def test_runchart_from_manage_py_starts_without_loading_the_apps(tmp_path):
    """manage.py runs runchart without populating Django's apps, which is most of its start-up time."""
    series = tmp_path / "series.csv"
    series.write_text("period,value\n1,5\n2,7\n3,6\n")

    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "manage.py",
            "runchart",
            str(series),
            "--rules",
            "spc",
            "--json",
        ],
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": os.environ["PATH"], "DJANGO_READ_DOT_ENV": "false"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["centre"] == 6
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "projects.analysis" in imported
    assert not {"coaching.panels", "coaching.listing"} & imported  # imported when the apps are ready
