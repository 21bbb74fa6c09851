"""Whole-process start-up of `amplify --version`: the budget is 150 ms (median of 20 runs).

Side by side in the same run: `python -c pass` (the interpreter's floor), `node -e ''` (the floor of
any Node CLI, the reference's runtime) and, when installed, the reference `amplify --version`.
Usage: .venv/bin/python bench/cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET_MS = 150.0


def median_ms(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def reference_cli() -> str | None:
    """The real Amplify CLI, if one is on PATH and it is not this package's console script."""
    found = shutil.which("amplify")
    if found and Path(found).resolve().parent != Path(sys.executable).resolve().parent:
        return found
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    ours = str(Path(sys.executable).parent / "amplify")
    rows = [("amplify --version (amplify-local)", median_ms([ours, "--version"], runs))]
    rows.append(("python -c pass", median_ms([sys.executable, "-c", "pass"], runs)))
    if shutil.which("node"):
        rows.append(("node -e ''", median_ms(["node", "-e", ""], runs)))
    reference = reference_cli()
    if reference:
        rows.append(("amplify --version (reference CLI)", median_ms([reference, "--version"], runs)))
    base = rows[0][1]
    print(f"median of {runs} runs, whole process")
    for name, value in rows:
        print(f"  {name:36} {value:7.1f} ms   x{value / base:5.2f} of amplify-local")
    if not reference:
        print("  the reference Amplify CLI is not installed here (no @aws-amplify/cli on PATH)")
    verdict = "within" if base <= BUDGET_MS else "OVER"
    print(f"budget {BUDGET_MS:.0f} ms: {verdict}")
    return 0 if base <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
