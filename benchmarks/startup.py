"""Wall time of archguard's start-up and of ``archguard modules`` on the reference platform.

Each command runs ``--runs`` times in a fresh interpreter; the bare interpreter start is
measured in the same run as the baseline, since the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO / "fixtures" / "commerce_platform" / "before"
RULES = REPO / "rules" / "commerce_platform.yaml"

COMMANDS = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "archguard --version": [sys.executable, "-m", "archguard", "--version"],
    "archguard modules (18 modules)": [
        sys.executable, "-m", "archguard", "modules", str(PLATFORM), "--config", str(RULES),
        "--format", "json",
    ],
}


def time_command(argv: list[str], runs: int) -> list[float]:
    """Wall times of ``runs`` runs of ``argv``, in seconds; fails loudly if a run fails."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    print("| command | median s | min s | max s | runs |\n|---|---|---|---|---|")
    for label, argv in COMMANDS.items():
        times = time_command(argv, args.runs)
        print(f"| {label} | {statistics.median(times):.3f} | {min(times):.3f} | "
              f"{max(times):.3f} | {args.runs} |")


if __name__ == "__main__":
    main()
