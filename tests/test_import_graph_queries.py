"""The import table's questions, as the checks ask them: which modules are the project's,
what a module imports, and on which lines."""

from __future__ import annotations

from archguard.domain.imports import ImportTable

TABLE = ImportTable({
    "app.shop": {"app.gifts": [3, 9], "sqlalchemy": [1]},
    "app.gifts": {},
})


def test_project_modules_are_the_importers_sorted():
    assert TABLE.project_modules == ["app.gifts", "app.shop"]
    assert "app.shop" in TABLE and "sqlalchemy" not in TABLE


def test_what_a_module_imports_sorted_and_nothing_for_others():
    assert TABLE.imported_by("app.shop") == ["app.gifts", "sqlalchemy"]
    assert TABLE.imported_by("app.gifts") == []
    assert TABLE.imported_by("app.unknown") == []


def test_the_lines_of_an_import_and_none_where_there_is_none():
    assert TABLE.lines("app.shop", "app.gifts") == [3, 9]
    assert TABLE.lines("app.gifts", "app.shop") == []
    assert TABLE.lines("app.unknown", "app.shop") == []
