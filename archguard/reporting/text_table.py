"""Bordered text tables, drawn as rich draws its default table (a heavy head, a light
body), at a small fraction of its cost: a report of thousands of violations prints
thousands of tables, and rich measures every cell of each through its renderables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len as _rich_cell_len

from archguard.reporting.escape import printable

MIN_WIDTH = 8


def cell_len(text: str) -> int:
    """How many terminal cells ``text`` takes: one a character for printable ASCII (what
    :func:`~archguard.reporting.escape.printable` leaves of control characters)."""
    return len(text) if text.isascii() else _rich_cell_len(text)


@dataclass(frozen=True)
class Column:
    header: str
    right: bool = False
    #: Whether the column may be narrowed (its cells wrapped) to fit the width.
    wraps: bool = True


def draw_table(columns: list[Column], rows: list[list[str]], width: int) -> list[str]:
    """The table's lines: the header row, then each row, its cells wrapped where the table
    would be wider than ``width``. A cell's own line breaks are kept; any other control
    character is shown escaped (see :mod:`archguard.reporting.escape`), since it would move
    the cursor, or colour the terminal, in the middle of the table."""
    cells = [[[printable(line) for line in cell.split("\n")] for cell in row] for row in rows]
    widths = [max([cell_len(column.header)]
                  + [cell_len(line) for row in cells for line in row[index]])
              for index, column in enumerate(columns)]
    _fit(widths, columns, width - (3 * len(columns) + 1))
    lines = [_border("┏", "━", "┳", "┓", widths),
             _line("┃", [[column.header] for column in columns], columns, widths)[0],
             _border("┡", "━", "╇", "┩", widths)]
    for row in cells:
        wrapped = [_wrap(cell, widths[index]) for index, cell in enumerate(row)]
        lines.extend(_line("│", wrapped, columns, widths))
    lines.append(_border("└", "─", "┴", "┘", widths))
    return lines


def _fit(widths: list[int], columns: list[Column], room: int) -> None:
    """Narrow the widest wrapping column by one cell (the first of those as wide), again
    and again, until the table fits or no column can be narrowed below MIN_WIDTH: computed a
    level at a time, since a wide cell would take thousands of steps."""
    excess = sum(widths) - room
    while excess > 0:
        candidates = [i for i, c in enumerate(columns) if c.wraps and widths[i] > MIN_WIDTH]
        if not candidates:
            return
        top = max(widths[i] for i in candidates)
        widest = [i for i in candidates if widths[i] == top]
        below = max([widths[i] for i in candidates if widths[i] < top] + [MIN_WIDTH])
        if excess >= (top - below) * len(widest):
            for i in widest:
                widths[i] = below
            excess -= (top - below) * len(widest)
            continue
        rounds, rest = divmod(excess, len(widest))
        for n, i in enumerate(widest):
            widths[i] -= rounds + (n < rest)
        return


def _wrap(lines: list[str], width: int) -> list[str]:
    wrapped = []
    for line in lines:
        wrapped.extend(_wrap_line(line, width) if cell_len(line) > width else [line])
    return wrapped


#: The pieces a line is wrapped between: runs of spaces, and words cut after the dots,
#: underscores and slashes of dotted names, identifiers and paths.
_PIECES = re.compile(r" +|[^ ._/]*[._/]+|[^ ._/]+")


def _wrap_line(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width`` cells, broken at spaces or after a ``.``,
    ``_`` or ``/``; a piece wider than ``width`` alone is cut where it must be."""
    out: list[str] = []
    current = ""
    for piece in _PIECES.findall(line):
        if piece.startswith(" "):
            current += piece if current else ""
            continue
        if cell_len(current + piece) <= width:
            current += piece
            continue
        if current.rstrip():
            out.append(current.rstrip())
        rest = piece
        while cell_len(rest) > width:
            out.append(rest[:width])
            rest = rest[width:]
        current = rest
    if current.rstrip() or not out:
        out.append(current.rstrip())
    return out


def _border(left: str, fill: str, cross: str, right: str, widths: list[int]) -> str:
    return left + cross.join(fill * (w + 2) for w in widths) + right


def _line(edge: str, cells: list[list[str]], columns: list[Column],
          widths: list[int]) -> list[str]:
    height = max(len(cell) for cell in cells)
    out = []
    for n in range(height):
        parts = []
        for cell, column, width in zip(cells, columns, widths, strict=True):
            text = cell[n] if n < len(cell) else ""
            pad = " " * (width - cell_len(text))
            parts.append(f" {pad}{text} " if column.right else f" {text}{pad} ")
        out.append(edge + edge.join(parts) + edge)
    return out
