"""The folder archguard keeps its caches in (``.archguard_cache``), made with a
``.gitignore`` of its own that ignores everything in it, so that it never shows in
``git status`` whatever the project's own ignores say."""

from __future__ import annotations

import os
from pathlib import Path

GITIGNORE = "# Made by archguard: its caches, never to be committed.\n*\n"


def make_cache_folder(folder: Path) -> Path:
    """Make ``folder`` (with its parents) when it is missing, and give it its ``.gitignore``
    when it has none (a folder made by an older archguard gets one too); ``folder``.

    Raises :class:`OSError` when the folder cannot be made or written (a read-only
    checkout): callers keep nothing then.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        try:
            # O_EXCL: of two runs making the folder at once, one writes the file, the other
            # leaves it alone.
            descriptor = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            return folder
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(GITIGNORE)
    return folder
