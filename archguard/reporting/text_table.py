"""Bordered text tables, drawn as rich draws its default table (a heavy head, a light
body), at a small fraction of its cost: a report of thousands of violations prints
thousands of tables, and rich measures every cell of each through its renderables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len as _rich_cell_len
from rich.measure import Measurement
from rich.text import Text

from archguard.reporting.escape import printable

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

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
    would be wider than ``width``: a column is first narrowed no further than its longest
    word that cannot be broken (``ProductAlreadyExistsException``), and only below it when
    the table cannot fit otherwise. A cell's own line breaks are kept; any other control
    character is shown escaped (see :mod:`archguard.reporting.escape`), since it would move
    the cursor, or colour the terminal, in the middle of the table."""
    cells = [[[printable(line) for line in cell.split("\n")] for cell in row] for row in rows]
    widths = [max([cell_len(column.header)]
                  + [cell_len(line) for row in cells for line in row[index]])
              for index, column in enumerate(columns)]
    pieces = [max([cell_len(piece) for row in cells for line in row[index]
                   for word in line.split() for piece in _PIECES.findall(word)], default=0)
              for index in range(len(columns))]
    room = width - (3 * len(columns) + 1)
    _fit(widths, columns, room, [max(MIN_WIDTH, piece) for piece in pieces])
    _fit(widths, columns, room)
    lines = [_border("┏", "━", "┳", "┓", widths),
             _line("┃", [[column.header] for column in columns], columns, widths)[0],
             _border("┡", "━", "╇", "┩", widths)]
    for row in cells:
        wrapped = [_wrap(cell, widths[index]) for index, cell in enumerate(row)]
        lines.extend(_line("│", wrapped, columns, widths))
    lines.append(_border("└", "─", "┴", "┘", widths))
    return lines


def _fit(widths: list[int], columns: list[Column], room: int,
         floors: list[int] | None = None) -> None:
    """Narrow the widest wrapping column by one cell (the first of those as wide), again
    and again, until the table fits or no column can be narrowed below its floor (each
    column's of ``floors``, else MIN_WIDTH): computed a level at a time, since a wide cell
    would take thousands of steps."""
    floor = floors or [MIN_WIDTH] * len(columns)
    excess = sum(widths) - room
    while excess > 0:
        candidates = [i for i, c in enumerate(columns) if c.wraps and widths[i] > floor[i]]
        if not candidates:
            return
        top = max(widths[i] for i in candidates)
        widest = [i for i in candidates if widths[i] == top]
        below = max([widths[i] for i in candidates if widths[i] < top]
                    + [floor[i] for i in widest])
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
        wrapped.extend(wrap_line(line, width) if cell_len(line) > width else [line])
    return wrapped


#: The pieces a word too wide for its line is cut into: after the dots, underscores and
#: slashes of dotted names, identifiers and paths.
_PIECES = re.compile(r"[^._/]*[._/]+|[^._/]+")


def wrap_line(line: str, width: int) -> list[str]:
    """``line`` in lines of at most ``width`` cells, broken at spaces, a word that fits a
    line kept whole; a word wider than a line broken after a ``.``, ``_`` or ``/``, and a
    piece wider still cut where it must be."""
    out: list[str] = []
    current = ""
    for word in line.split():
        joined = f"{current} {word}" if current else word
        if cell_len(joined) <= width:
            current = joined
            continue
        if cell_len(word) <= width:
            out.append(current)
            current = word
            continue
        separator = " " if current else ""
        for piece in _PIECES.findall(word):
            if cell_len(current + separator + piece) <= width:
                current += separator + piece
            else:
                if current:
                    out.append(current)
                rest = piece
                while cell_len(rest) > width:
                    out.append(rest[:width])
                    rest = rest[width:]
                current = rest
            separator = ""
    if current or not out:
        out.append(current)
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


class Wrapped:
    """A table cell for rich's tables that wraps as these tables wrap (see
    :func:`wrap_line`), its styles kept: rich's own cells break at spaces only, and fold a
    dotted name or a path anywhere."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        lines = self.text.plain.split("\n")
        widest = max(cell_len(line) for line in lines)
        piece = max((cell_len(p) for word in self.text.plain.split()
                     for p in _PIECES.findall(word)), default=0)
        return Measurement(min(piece, widest), widest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        pieces: list[Text] = []
        for line in self.text.split("\n", allow_blank=True):
            start = 0
            for part in wrap_line(line.plain, options.max_width):
                start = line.plain.find(part, start)
                pieces.append(line[start:start + len(part)])
                start += len(part)
        shown = Text("\n").join(pieces)
        shown.no_wrap, shown.overflow = True, "crop"
        yield shown
