"""Classifying import statements by where they sit: module, lazy, type_checking, guarded."""

from __future__ import annotations

import textwrap

import pytest

from archguard.adapters.import_statements import classify_imports
from archguard.errors import SourceSyntaxError


def kinds(tmp_path, source: str) -> dict[str, tuple[str, str | None]]:
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return {s.statement: (s.kind, s.function) for s in classify_imports(path)}


def test_module_level_including_conditional(tmp_path):
    found = kinds(tmp_path, """
        import a
        if FLAG:
            from b import c
        else:
            import d
        with ctx():
            for x in y:
                import e
    """)
    assert {k for k, _ in found.values()} == {"module"}
    assert len(found) == 4


def test_lazy_in_functions_methods_nested_classes_and_lambdas(tmp_path):
    found = kinds(tmp_path, """
        def f():
            import a
        class Outer:
            class Inner:
                def method(self):
                    def helper():
                        from b import c
                    return helper
        async def g():
            if x:
                import d
    """)
    assert found["import a"] == ("lazy", "f")
    assert found["from b import c"] == ("lazy", "Outer.Inner.method.helper")
    assert found["import d"] == ("lazy", "g")


def test_type_checking_and_its_else_branch(tmp_path):
    found = kinds(tmp_path, """
        import typing
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from a import A
        else:
            from b import B
        if typing.TYPE_CHECKING:
            import c
        def f():
            if TYPE_CHECKING:
                import d
    """)
    assert found["from a import A"][0] == "type_checking"
    assert found["from b import B"][0] == "module"
    assert found["import c"][0] == "type_checking"
    assert found["import d"][0] == "type_checking"


@pytest.mark.parametrize("handler", [
    "ImportError", "ModuleNotFoundError", "(ImportError, KeyError)",
    "(KeyError, ModuleNotFoundError)", "builtins.ImportError",
])
def test_guarded_by_import_error_handlers(tmp_path, handler):
    found = kinds(tmp_path, f"""
        try:
            import a
        except {handler}:
            import b
        def f():
            try:
                import c
            except {handler}:
                pass
    """)
    assert found["import a"][0] == "guarded"
    assert found["import b"][0] == "module"
    assert found["import c"][0] == "guarded"


def test_other_handlers_do_not_guard(tmp_path):
    found = kinds(tmp_path, """
        try:
            import a
        except KeyError:
            pass
        try:
            import b
        finally:
            import c
    """)
    assert {k for k, _ in found.values()} == {"module"}


def test_multiline_statement_spans_its_lines(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from a import (\n    b,\n    c as d,\n)\n", encoding="utf-8")
    (statement,) = classify_imports(path)
    assert (statement.line, statement.end_line) == (1, 4)
    assert statement.names == ("b", "c") and statement.bound == ("b", "d")
    assert statement.statement == "from a import b, c as d"
    assert statement.spans(3)


def test_relative_import_resolves_against_the_importer(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from ..models import X\nfrom . import y\n", encoding="utf-8")
    first, second = classify_imports(path)
    assert first.source_module("app.modules.cms.services.media", False) == "app.modules.cms.models"
    assert second.source_module("app.modules.cms", True) == "app.modules.cms"


def test_syntax_error_keeps_file_and_line(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import a\ndef f(:\n", encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as caught:
        classify_imports(path)
    assert caught.value.line == 2 and caught.value.path == path
