"""Name patterns, as the configuration writes them: dotted (``app.modules.*.routes.**``)
and folder paths (``app/**/migrations/versions``). ``*`` stands for one segment or part of
one, ``**`` for any number of segments (none included)."""

from __future__ import annotations

import re
from functools import cache


@cache
def _compiled(pattern: str, separator: str) -> re.Pattern[str]:
    escaped = re.escape(separator)
    other = f"[^{escaped}]"
    regex = ""
    for index, part in enumerate(pattern.split(separator)):
        if part == "**":
            regex += f"(?:{escaped}{other}+)*" if index else f"{other}+(?:{escaped}{other}+)*"
        else:
            regex += (escaped if index else "") + re.escape(part).replace(r"\*", f"{other}*")
    return re.compile(regex)


def matches(pattern: str, dotted: str) -> bool:
    """Whether the dotted name ``dotted`` matches ``pattern``."""
    return _compiled(pattern, ".").fullmatch(dotted) is not None


def matches_path(pattern: str, relative: str) -> bool:
    """Whether the ``/``-separated path ``relative`` matches ``pattern``."""
    return _compiled(pattern.strip("/"), "/").fullmatch(relative) is not None
