"""What the audit costs next to the check it builds on: ``archguard check --no-cache`` and
``archguard audit --no-cache`` in Markdown and in HTML, interleaved in the same run (the
machine is shared and noisy), on the reference platform and, with ``--generated DIR``, on a
platform written by ``generate.py`` (its archguard.yaml is used). Without ``--run``: the
removals are predicted, as a CI job on every merge would run it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from propose import compare


def commands(tree: Path, config: Path) -> dict[str, list[str]]:
    base = [sys.executable, "-m", "archguard"]
    where = [str(tree), "--config", str(config), "--no-cache"]
    return {
        "check": [*base, "check", *where, "--format", "json"],
        "audit (markdown)": [*base, "audit", *where],
        "audit (html)": [*base, "audit", *where, "--format", "html"],
    }


def main(argv: list[str] | None = None) -> None:
    compare(commands, __doc__, argv)


if __name__ == "__main__":
    main()
