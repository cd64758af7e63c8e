"""Print mutmut's results per mutated file: killed, survived, no tests, timeout, other, and
the score (killed and timed out, over every mutant checked).

Reads the ``*.py.meta`` files mutmut writes beside each mutated copy. A mutant that no test
of the selection reaches ("no tests") counts as not killed. Files none of whose mutants were
checked (left out by the names given to run.sh) are not listed. Usage:
``python tools/mutation/score.py .mutation/mutants``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

COLUMNS = ("killed", "survived", "no tests", "timeout", "other")


def main(mutants: Path) -> int:
    rows = []
    for meta in sorted(mutants.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts = Counter(status_by_exit_code[code] for code in codes.values())
        checked = sum(counts.values()) - counts["not checked"]
        if checked:
            counts["other"] = checked - sum(counts[c] for c in COLUMNS[:-1])
            rows.append((str(meta.relative_to(mutants))[: -len(".meta")], counts, checked))
    if not rows:
        print(f"mutation: no results under {mutants}", file=sys.stderr)
        return 1
    totals: Counter = Counter()
    for _, counts, _ in rows:
        totals.update({c: counts[c] for c in COLUMNS})
    rows.append(("total", totals, sum(totals[c] for c in COLUMNS)))
    print(f"{'file':42}" + "".join(f"{c:>9}" for c in (*COLUMNS, "checked", "score")))
    for name, counts, checked in rows:
        score = 100 * (counts["killed"] + counts["timeout"]) / checked
        print(f"{name:42}" + "".join(f"{counts[c]:9}" for c in COLUMNS)
              + f"{checked:9}{score:8.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ".mutation/mutants")))
