"""What proposals cost: ``archguard check --no-cache`` against ``check --no-cache --propose``
and the dry run of ``archguard fix``, interleaved in the same run (the machine is shared and
noisy), on the reference platform and, with ``--generated DIR``, on a platform written by
``generate.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO / "fixtures" / "commerce_platform" / "before"
RULES = REPO / "rules" / "commerce_platform.yaml"


def commands(tree: Path, config: Path) -> dict[str, list[str]]:
    base = [sys.executable, "-m", "archguard"]
    where = [str(tree), "--config", str(config)]
    return {
        "check": [*base, "check", *where, "--no-cache", "--format", "json"],
        "check --propose": [*base, "check", *where, "--no-cache", "--propose", "--format",
                            "json"],
        "fix (dry run, --unsafe)": [*base, "fix", *where, "--unsafe"],
    }


def measure(named: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in named}
    for _ in range(runs):
        for name, argv in named.items():
            start = time.perf_counter()
            subprocess.run(argv, capture_output=True, check=False, cwd=REPO)
            times[name].append(time.perf_counter() - start)
    return times


def report(title: str, times: dict[str, list[float]]) -> None:
    print(title)
    for name, values in times.items():
        print(f"  {name:<26} median {statistics.median(values):6.2f} s   "
              f"min {min(values):6.2f}   max {max(values):6.2f}   ({len(values)} runs)")


def compare(named: Callable[[Path, Path], dict[str, list[str]]], description: str | None,
            argv: list[str] | None = None, runs: int = 5) -> None:
    """The commands ``named(tree, config)`` gives, timed on the reference platform and, with
    ``--generated DIR``, on a generated tree."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--generated", type=Path, default=None,
                        help="a tree written by generate.py (its archguard.yaml is used)")
    args = parser.parse_args(argv)
    report(f"reference platform ({PLATFORM.relative_to(REPO)})",
           measure(named(PLATFORM, RULES), args.runs))
    if args.generated is not None:
        tree = args.generated.resolve()
        report(f"generated platform ({tree})",
               measure(named(tree, tree / "archguard.yaml"), args.runs))


def main(argv: list[str] | None = None) -> None:
    compare(commands, __doc__, argv)


if __name__ == "__main__":
    main()
