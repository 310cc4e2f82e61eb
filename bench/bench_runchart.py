"""Time projects.analysis and `manage.py runchart` on a 10,000-point series.

Run from anywhere with the project's Python:
    .venv/bin/python bench/bench_runchart.py [--points N] [--repeats R]

"cold" clears the cached critical values first (the first chart of a given length
pays for them); "warm" reuses them. The command timing is a whole process per run:
interpreter and Django start-up, CSV parsing, the analysis and the JSON output.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from projects import analysis  # noqa: E402  (needs the project root on the path)


def make_series(points: int) -> list[str]:
    """A reproducible series with two-decimal values, a step change and some noise."""
    rng = random.Random(20241001)
    values = []
    for i in range(points):
        level = 100 if i < points // 2 else 104
        values.append(f"{rng.gauss(level, 10):.2f}")
    return values


def make_proportions(points: int) -> tuple[list[int], list[int]]:
    rng = random.Random(20241002)
    denominators = [rng.randint(20, 400) for _ in range(points)]
    numerators = [rng.randint(0, d // 5) for d in denominators]
    return numerators, denominators


def clear_caches() -> None:
    analysis.ihi_runs_limits.cache_clear()
    analysis.anhoej_limits.cache_clear()


def time_calls(function, repeats: int, before=None) -> list[float]:
    timings = []
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    values = make_series(args.points)
    numerators, denominators = make_proportions(args.points)
    rows = []
    for rules in analysis.RULE_SETS:
        for label, before in (("cold", clear_caches), ("warm", None)):
            analysis.analyse(values, rules)  # warm the caches for the "warm" rows
            timings = time_calls(lambda rules=rules: analysis.analyse(values, rules), args.repeats, before)
            rows.append((f"analyse({rules!r}), {label}", timings))
    timings = time_calls(lambda: analysis.p_chart(numerators, denominators), args.repeats)
    rows.append(("p_chart", timings))

    env = dict(os.environ)
    # The command needs a secret key to start; never borrow a real one for a benchmark.
    env.setdefault("SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "series.csv"
        path.write_text("period,value\n" + "".join(f"{i + 1},{v}\n" for i, v in enumerate(values)))
        for rules in analysis.RULE_SETS:
            command = [sys.executable, "manage.py", "runchart", str(path), "--rules", rules, "--json"]

            def run(command=command):
                subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)

            rows.append((f"manage.py runchart --rules {rules}", time_calls(run, max(3, args.repeats // 2))))
        empty = Path(tmp) / "one.csv"
        empty.write_text("period,value\n1,1\n")
        command = [sys.executable, "manage.py", "runchart", str(empty), "--rules", "spc", "--json"]
        rows.append(
            (
                "manage.py runchart, 1 point (start-up)",
                time_calls(
                    lambda: subprocess.run(
                        command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True
                    ),
                    max(3, args.repeats // 2),
                ),
            )
        )

    print(f"{args.points:,} points, Python {sys.version.split()[0]}")
    print(f"{'what':<42} {'runs':>4} {'best ms':>9} {'median ms':>10}")
    for name, timings in rows:
        best, median = min(timings) * 1000, statistics.median(timings) * 1000
        print(f"{name:<42} {len(timings):>4} {best:>9.1f} {median:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
