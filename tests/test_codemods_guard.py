"""guard_lazy_import: a lazy import wrapped in try/except ImportError."""

from __future__ import annotations

from textwrap import dedent

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.guard import guard_lazy_import

SOURCE = dedent(
    '''\
    """Pages."""

    import os


    class ProductPage:
        def reviews(self, product_id: int) -> tuple[list, int]:
            # reviews may be switched off
            from ..reviews.api import (  # lazy
                count,
                top_reviews,
            )

            return top_reviews(product_id), count(product_id)


    async def recommendations(user):
        import shop.recommend as recommend
        return await recommend.for_user(user)


    def stream():
        import shop.feed
        yield from shop.feed.items()
    '''
)

REASON = "reviews is optional: disabled or not installed"


def test_guarding_an_import_in_a_method_returns_the_fallback_tuple() -> None:
    expected = dedent(
        '''\
        """Pages."""

        import os


        class ProductPage:
            def reviews(self, product_id: int) -> tuple[list, int]:
                # reviews may be switched off
                try:
                    from ..reviews.api import (  # lazy
                        count,
                        top_reviews,
                    )
                except ImportError:  # reviews is optional: disabled or not installed
                    return ([], 0)

                return top_reviews(product_id), count(product_id)


        async def recommendations(user):
            import shop.recommend as recommend
            return await recommend.for_user(user)


        def stream():
            import shop.feed
            yield from shop.feed.items()
        '''
    )
    assert guard_lazy_import(SOURCE, 9, "([], 0)", REASON) == expected


def test_guarding_an_import_in_an_async_function() -> None:
    expected = SOURCE.replace(
        "    import shop.recommend as recommend\n",
        "    try:\n"
        "        import shop.recommend as recommend\n"
        "    except ImportError:  # recommendations are optional\n"
        "        return {}\n",
    )
    assert guard_lazy_import(SOURCE, 18, "{}", "recommendations are optional") == expected


def test_an_empty_fallback_is_a_bare_return_and_an_empty_reason_no_comment() -> None:
    expected = SOURCE.replace(
        "    import shop.feed\n",
        "    try:\n        import shop.feed\n    except ImportError:\n        return\n",
    )
    assert guard_lazy_import(SOURCE, 23, "", "") == expected


def test_a_reason_over_several_lines_becomes_one_comment() -> None:
    result = guard_lazy_import(SOURCE, 23, "None", "feed is\noptional")
    assert "    except ImportError:  # feed is optional\n        return None\n" in result


def test_guarding_is_idempotent() -> None:
    once = guard_lazy_import(SOURCE, 9, "([], 0)", REASON)
    assert guard_lazy_import(once, 9, "([], 0)", REASON) == once
    assert guard_lazy_import(once, 10, "([], 0)", REASON) == once


@pytest.mark.parametrize(
    "caught",
    ["ImportError", "ModuleNotFoundError", "(ValueError, ImportError)", "builtins.ImportError"],
)
def test_an_import_already_guarded_is_left_alone(caught: str) -> None:
    source = dedent(
        f"""\
        def load():
            try:
                import yaml
            except {caught}:
                return None
            return yaml
        """
    )
    assert guard_lazy_import(source, 3, "None", REASON) == source


def test_a_try_that_does_not_catch_import_errors_is_wrapped() -> None:
    source = dedent(
        """\
        def load():
            try:
                import yaml
            except ValueError:
                return None
            return yaml
        """
    )
    expected = dedent(
        """\
        def load():
            try:
                try:
                    import yaml
                except ImportError:  # optional
                    return None
            except ValueError:
                return None
            return yaml
        """
    )
    assert guard_lazy_import(source, 3, "None", "optional") == expected


def test_guarding_names_the_line_when_it_cannot() -> None:
    with pytest.raises(CodemodError, match=r"^line 3: 'import os' is not inside a function"):
        guard_lazy_import(SOURCE, 3, "None", REASON)
    with pytest.raises(CodemodError, match=r"^line 2: 'import os' is not inside a function"):
        guard_lazy_import("class A:\n    import os\n", 2, "None", REASON)
    with pytest.raises(CodemodError, match=r"^line 14: expected an import statement, found "):
        guard_lazy_import(SOURCE, 14, "None", REASON)
    with pytest.raises(CodemodError, match=r"^line 9: the fallback '\(\[\], ' is not a Python"):
        guard_lazy_import(SOURCE, 9, "([], ", REASON)
    with pytest.raises(CodemodError, match=r"^line 2: the import shares its line"):
        guard_lazy_import("def f():\n    import os; x = 1\n", 2, "None", REASON)
    with pytest.raises(CodemodError, match=r"^line 1: cannot parse: "):
        guard_lazy_import("def f(:\n", 1, "None", REASON)


def test_the_outputs_compile() -> None:
    results = [
        guard_lazy_import(SOURCE, 9, "([], 0)", REASON),
        guard_lazy_import(SOURCE, 18, "{}", REASON),
        guard_lazy_import(SOURCE, 23, "", REASON),
        guard_lazy_import("def f():\n    if x:\n        import a\n    return a\n", 3, "0", ""),
    ]
    for result in results:
        compile(result, "x.py", "exec")
