"""Dotted-name patterns, as the configuration writes them: ``app.modules.*.routes.**``."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=None)
def _compiled(pattern: str) -> re.Pattern[str]:
    regex = ""
    for index, part in enumerate(pattern.split(".")):
        separator = r"\." if index else ""
        if part == "**":
            regex += r"(?:\.[^.]+)*" if index else r"[^.]+(?:\.[^.]+)*"
        else:
            regex += separator + re.escape(part).replace(r"\*", "[^.]*")
    return re.compile(regex)


def matches(pattern: str, dotted: str) -> bool:
    """``*`` is one segment, ``**`` any number of segments (none included)."""
    return _compiled(pattern).fullmatch(dotted) is not None
