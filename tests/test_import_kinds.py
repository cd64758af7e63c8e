"""What classify_imports tells about each statement: its kind where the kinds nest, where it
is, what it binds, relative sources, and the inline ignore comment."""

from __future__ import annotations

import textwrap

import pytest

from archguard.adapters.import_statements import classify_imports
from archguard.errors import SourceSyntaxError


def statements(tmp_path, source: str):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return classify_imports(path)


def kinds(tmp_path, source: str) -> dict[str, tuple[str, str | None]]:
    return {s.statement: (s.kind, s.function) for s in statements(tmp_path, source)}


def test_a_class_body_keeps_the_kind_around_it_and_names_methods_by_class(tmp_path):
    found = kinds(tmp_path, """
        class Shop:
            import a
            def price(self):
                import b
        def build():
            class Local:
                import c
    """)
    assert found == {"import a": ("module", None), "import b": ("lazy", "Shop.price"),
                     "import c": ("lazy", "build")}


def test_not_type_checking_runs(tmp_path):
    found = kinds(tmp_path, """
        if not TYPE_CHECKING:
            import a
        if TYPE_CHECKING:
            pass
        else:
            import b
    """)
    assert found == {"import a": ("module", None), "import b": ("module", None)}


def test_functions_and_classes_under_type_checking_and_guards(tmp_path):
    found = kinds(tmp_path, """
        def f():
            if TYPE_CHECKING:
                import a
            else:
                import b
        if TYPE_CHECKING:
            def g():
                import c
        try:
            class Shop:
                def price(self):
                    import d
        except ImportError:
            pass
    """)
    assert found == {"import a": ("type_checking", "f"), "import b": ("lazy", "f"),
                     "import c": ("type_checking", "g"), "import d": ("lazy", "Shop.price")}


def test_guards_and_type_checking_nest(tmp_path):
    found = kinds(tmp_path, """
        try:
            if TYPE_CHECKING:
                import a
            import b
        except ImportError:
            pass
        if TYPE_CHECKING:
            try:
                import c
            except ImportError:
                import d
    """)
    assert found["import a"][0] == "type_checking"
    assert found["import b"][0] == "guarded"
    # Under TYPE_CHECKING nothing runs, guarded or not.
    assert found["import c"][0] == "type_checking"
    assert found["import d"][0] == "type_checking"


def test_only_the_body_of_a_guarding_try_is_guarded(tmp_path):
    found = kinds(tmp_path, """
        try:
            import a
        except ImportError:
            import b
        else:
            import c
        finally:
            import d
        def f():
            try:
                import e
            except ModuleNotFoundError:
                import g
            else:
                import h
            finally:
                import i
    """)
    assert found == {
        "import a": ("guarded", None), "import b": ("module", None),
        "import c": ("module", None), "import d": ("module", None),
        "import e": ("guarded", "f"), "import g": ("lazy", "f"),
        "import h": ("lazy", "f"), "import i": ("lazy", "f"),
    }


@pytest.mark.parametrize("handler", ["except:", "except Exception:", "except (KeyError,):",
                                     "except errors.ImportFailure:", "except caught():"])
def test_handlers_that_do_not_name_import_errors_do_not_guard(tmp_path, handler):
    found = kinds(tmp_path, f"""
        try:
            import a
        {handler}
            pass
    """)
    assert found == {"import a": ("module", None)}


def test_except_star_import_error_guards(tmp_path):
    found = kinds(tmp_path, """
        try:
            import a
        except* ImportError:
            import b
    """)
    assert found == {"import a": ("guarded", None), "import b": ("module", None)}


def test_a_guard_only_needs_one_of_its_handlers_to_catch_import_errors(tmp_path):
    found = kinds(tmp_path, """
        try:
            import a
        except KeyError:
            pass
        except ImportError:
            pass
    """)
    assert found == {"import a": ("guarded", None)}


def test_positions_are_one_based_and_in_source_order(tmp_path):
    found = statements(tmp_path, """
        import b; import a
        def f():
            from c import (
                d,
            )
    """)
    assert [(s.statement, s.line, s.column, s.end_line) for s in found] == [
        ("import b", 1, 1, 1), ("import a", 1, 11, 1), ("from c import d", 3, 5, 5)]
    assert not found[0].spans(2) and found[2].spans(3) and found[2].spans(5)
    assert not found[2].spans(6) and not found[2].spans(2)


def test_names_and_bound_names(tmp_path):
    found = {s.statement: s for s in statements(tmp_path, """
        import a.b.c
        import a.b as ab, x
        from m import n as o, p
    """)}
    assert (found["import a.b.c"].names, found["import a.b.c"].bound) == ((), ("a",))
    assert found["import a.b as ab, x"].bound == ("ab", "x")
    assert found["from m import n as o, p"].names == ("n", "p")
    assert found["from m import n as o, p"].bound == ("o", "p")


def test_relative_statements_keep_their_module_and_level(tmp_path):
    found = statements(tmp_path, """
        import a
        from b import c
        from . import d
        from ...e.f import g
    """)
    assert [(s.module, s.level) for s in found] == [("", 0), ("b", 0), ("", 1), ("e.f", 3)]


@pytest.mark.parametrize(("statement", "importer", "is_package", "expected"), [
    ("import a", "app.x.y", False, None),
    ("from b.c import d", "app.x.y", False, "b.c"),
    ("from .z import w", "app.x.y", False, "app.x.z"),
    ("from .z import w", "app.x", True, "app.x.z"),
    ("from . import w", "app.x.y", False, "app.x"),
    ("from .. import w", "app.x.y", False, "app"),
    ("from ..z import w", "app.x", True, "app.z"),
    ("from ...z import w", "app.x.y.v", False, "app.z"),
])
def test_the_source_module_of_a_statement(tmp_path, statement, importer, is_package,
                                          expected):
    (found,) = statements(tmp_path, statement)
    assert found.source_module(importer, is_package) == expected


def test_inline_ignore_comments(tmp_path):
    found = {s.statement: (s.ignore, s.ignore_reason) for s in statements(tmp_path, """
        import a  # archguard: ignore[core-not-optional, kernel] read only for exports
        import b  #archguard:ignore
        import c  # archguard: ignore[] known
        from d import (
            e,
        )  # archguard: ignore  moved in PLAT-1
        import f
        # archguard: ignore[x] on its own line, above a statement
        import g
    """)}
    assert found["import a"] == (("core-not-optional", "kernel"), "read only for exports")
    assert found["import b"] == ((), "")
    assert found["import c"] == ((), "known")
    assert found["from d import e"] == ((), "moved in PLAT-1")
    assert found["import f"] == (None, "")
    assert found["import g"] == (None, "")


def test_the_given_bytes_are_read_instead_of_the_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("import on_disk\n", encoding="utf-8")
    (found,) = classify_imports(path, b"def f():\n    import given\n")
    assert (found.statement, found.kind, found.line) == ("import given", "lazy", 2)


def test_null_bytes_are_a_syntax_error_with_the_file(tmp_path):
    path = tmp_path / "m.py"
    path.write_bytes(b"import a\x00\n")
    with pytest.raises(SourceSyntaxError) as caught:
        classify_imports(path)
    assert caught.value.path == path
