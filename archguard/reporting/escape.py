"""Names and paths as the reports print them.

A file or folder name may hold any character but ``/`` and NUL: a newline, a carriage
return, an escape sequence (``\\x1b[31m``). Printed as they are, they split a table row,
rewrite the terminal's colours or start a new Markdown line, and the report no longer says
which file it means. Every report that is read by people therefore shows them escaped, as
Python's ``repr`` does (``\\n``, ``\\x1b``); the machine formats (JSON, SARIF, GitHub
annotations) keep each name as it is, in their own escaping.
"""

from __future__ import annotations

import re


def printable(text: str) -> str:
    """``text`` with each character that is not printable (controls, line and paragraph
    separators, bidirectional overrides: what ``str.isprintable`` refuses) written as its
    Python escape: ``evil\\nline.py``, ``bad\\x1b[31mname``."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def printable_lines(text: str) -> str:
    """``text`` with its lines kept and every other character that is not printable
    escaped: a message that names a path (``bad\x1b[31mname``) cannot recolour the terminal
    it is printed on."""
    return "\n".join(map(printable, text.split("\n")))


def console_text(text: str) -> str:
    """``text`` printable, and its rich markup (``[bold]``) escaped: as rich's console
    prints it as it is."""
    from rich.markup import escape

    return escape(printable(text))


def markdown_text(text: str) -> str:
    """``text`` printable, for a Markdown line or a table cell: ``|`` escaped, so that it
    cannot end a cell."""
    return printable(text).replace("|", "\\|")


_BACKTICKS = re.compile(r"`+")


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span, printable and with ``|`` escaped (a table cell),
    fenced with more backticks than it holds in a row."""
    shown = markdown_text(text)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(shown)), default=0) + 1)
    padding = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{padding}{shown}{padding}{fence}"
