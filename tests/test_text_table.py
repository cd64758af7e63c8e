"""Report tables: drawn as rich draws its own, fitted to the width, and cheap."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from archguard.reporting.text_table import Column, draw_table

COLUMNS = [Column("Line", right=True, wraps=False), Column("Import"),
           Column("Kind", wraps=False), Column("Used in")]
ROWS = [["7", "Gift (app.modules.extras.gift)", "module", "wrap() :9\nGiftCard.apply() :31"],
        ["120", "relationship('Store') → Store", "string", "-"]]


def rich_lines(rows, width):
    """The same table as rich draws it, for comparison."""
    table = Table()
    for column in COLUMNS:
        table.add_column(column.header, justify="right" if column.right else "left")
    for row in rows:
        table.add_row(*row)
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(table)
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


def test_a_table_that_fits_is_drawn_as_rich_draws_it():
    assert draw_table(COLUMNS, ROWS, 120) == rich_lines(ROWS, 120)


def test_cells_keep_their_own_line_breaks_and_numbers_align_right():
    lines = draw_table(COLUMNS, ROWS, 120)
    assert lines[3].startswith("│    7 │ Gift (app.modules.extras.gift) ")
    assert lines[3].endswith("│ wrap() :9            │")
    assert lines[4].endswith("│ GiftCard.apply() :31 │")
    assert lines[5].startswith("│  120 │")


def test_a_wide_table_wraps_its_wrapping_columns_to_the_width():
    long = [["12", "from app.modules.marketplace.services.import_service import "
             "MarketplaceImportService, MarketplaceImportJob", "lazy",
             "MarketplaceProductService.import_from_feed() :463, :470, :488"]]
    lines = draw_table(COLUMNS, long, 80)
    assert all(cell_len(line) <= 80 for line in lines)
    assert max(cell_len(line) for line in lines) == 80
    body = [line.split("│")[1:-1] for line in lines[3:-1]]
    for index, cell in enumerate(long[0]):  # every character is there, in order
        assert "".join(row[index].strip() for row in body).replace(" ", "") \
            == cell.replace(" ", "")
    assert body[0][0] == "   12 " and body[0][2] == " lazy "  # never narrowed
    assert len(body) > 2



def _fit_cell_by_cell(widths, columns, room, floors=None):
    """The rule as the table states it: narrow the widest wrapping column (the first of
    those as wide) by one cell until the table fits or none is wider than its floor."""
    from archguard.reporting.text_table import MIN_WIDTH

    floors = floors or [MIN_WIDTH] * len(columns)
    widths = list(widths)
    excess = sum(widths) - room
    while excess > 0:
        candidates = [i for i, c in enumerate(columns) if c.wraps and widths[i] > floors[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def test_fitting_a_level_at_a_time_narrows_as_cell_by_cell_does():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from archguard.reporting.text_table import _fit

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 300), st.booleans(), st.integers(8, 60)),
                    min_size=1, max_size=6),
           st.integers(-20, 900), st.booleans())
    def check(spec, room, floored):
        columns = [Column(f"c{i}", wraps=wraps) for i, (_, wraps, _) in enumerate(spec)]
        widths = [width for width, _, _ in spec]
        floors = [floor for _, _, floor in spec] if floored else None
        fitted = list(widths)
        _fit(fitted, columns, room, floors)
        assert fitted == _fit_cell_by_cell(widths, columns, room, floors)

    check()


def test_cells_wrap_after_dots_underscores_and_slashes_never_inside_a_name():
    """At 80 columns, a dotted name, an identifier or a path is broken only where a
    reader breaks it: after a `.`, a `_` or a `/`, or at a space."""
    row = [["7", "from app.modules.marketplace.services.import_service import "
            "MarketplaceImportService", "lazy",
            "app/modules/marketplace/services/import_service.py:463 "
            "MarketplaceProductService.import_from_feed() :463"]]
    lines = draw_table(COLUMNS, row, 80)
    assert all(cell_len(line) <= 80 for line in lines)
    body = [line.split("│")[1:-1] for line in lines[3:-1]]
    for index in (1, 3):
        text = row[0][index]
        pieces = [cells[index].strip() for cells in body if cells[index].strip()]
        assert len(pieces) > 2
        at = 0
        for piece in pieces:
            at = text.index(piece, at) + len(piece)  # each line a run of the cell, in order
            assert at == len(text) or text[at] == " " or piece[-1] in "._/", piece


def test_a_word_that_cannot_be_broken_is_kept_whole_while_another_column_can_give():
    row = [["12", "ProductAlreadyExistsException (app.modules.catalog.exceptions)", "lazy",
            "CatalogService.create_product() :40, :52 CatalogService.import_products() :77"]]
    lines = draw_table(COLUMNS, row, 80)
    assert all(cell_len(line) <= 80 for line in lines)
    assert any("ProductAlreadyExistsException" in line for line in lines)
