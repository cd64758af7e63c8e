"""The baseline file: JSON holding the baseline's version and its entries, each with a
fingerprint, written so that it reads well in a review and diffs cleanly."""

from __future__ import annotations

import json
from pathlib import Path

from archguard.errors import ConfigError, Position

BASELINE_VERSION = 1


def baseline_text(entries: list[dict]) -> str:
    """The text of a baseline file holding ``entries``, in their order."""
    document = {"archguard_baseline": BASELINE_VERSION, "violations": entries}
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def read_baseline(path: Path) -> list[dict]:
    """The entries of a baseline file; a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror}", Position(path)) from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc.msg}",
                          Position(path, exc.lineno, exc.colno)) from None
    except RecursionError:
        raise ConfigError("baseline is nested too deeply to be an archguard baseline",
                          Position(path, 1)) from None
    if not isinstance(data, dict) or data.get("archguard_baseline") != BASELINE_VERSION:
        raise ConfigError("not an archguard baseline (version 1)", Position(path, 1))
    entries = data.get("violations")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise ConfigError("baseline 'violations' must be a list of entries with a fingerprint",
                          Position(path))
    return entries
