"""move_to_type_checking: an import moved under ``if TYPE_CHECKING:``."""

from __future__ import annotations

from textwrap import dedent

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.type_checking import move_to_type_checking

WITHOUT_FUTURE = dedent(
    '''\
    """Orders."""

    from shop.catalog import Product, Category  # models
    from shop.util import helper

    # the default
    DEFAULT: Product | None = None


    class Line:
        product: Product
        category: "Category"

        def price(self, product: Product, count: int) -> list[Product]:
            seen: dict[str, Product] = {}
            return [helper(product)]
    '''
)

WITH_FUTURE = dedent(
    '''\
    """Orders."""

    from __future__ import annotations

    import os
    from typing import TYPE_CHECKING

    from shop.catalog import Product
    from shop.users import User

    if TYPE_CHECKING:
        from shop.catalog import Category


    def describe(product: Product, user: User) -> Category:
        return os.fspath(product.name)
    '''
)


def test_moving_quotes_the_annotations_without_postponed_annotations() -> None:
    expected = dedent(
        '''\
        """Orders."""

        from shop.catalog import Category  # models
        from shop.util import helper
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from shop.catalog import Product

        # the default
        DEFAULT: "Product | None" = None


        class Line:
            product: "Product"
            category: "Category"

            def price(self, product: "Product", count: int) -> "list[Product]":
                seen: "dict[str, Product]" = {}
                return [helper(product)]
        '''
    )
    assert move_to_type_checking(WITHOUT_FUTURE, 3, ["Product"]) == expected


def test_moving_the_whole_statement_keeps_its_text() -> None:
    expected = dedent(
        '''\
        """Orders."""

        from shop.util import helper
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from shop.catalog import Product, Category  # models

        # the default
        DEFAULT: "Product | None" = None


        class Line:
            product: "Product"
            category: "Category"

            def price(self, product: "Product", count: int) -> "list[Product]":
                seen: "dict[str, Product]" = {}
                return [helper(product)]
        '''
    )
    assert move_to_type_checking(WITHOUT_FUTURE, 3, []) == expected
    assert move_to_type_checking(WITHOUT_FUTURE, 3, ["Product", "Category"]) == expected


def test_moving_with_postponed_annotations_reuses_the_block_and_quotes_nothing() -> None:
    expected = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        import os
        from typing import TYPE_CHECKING

        from shop.users import User

        if TYPE_CHECKING:
            from shop.catalog import Category, Product


        def describe(product: Product, user: User) -> Category:
            return os.fspath(product.name)
        '''
    )
    result = move_to_type_checking(WITH_FUTURE, 8, ["Product"])
    assert result == expected
    assert result.count("import TYPE_CHECKING") == 1


def test_moving_a_second_module_appends_to_the_block() -> None:
    once = move_to_type_checking(WITH_FUTURE, 8, ["Product"])
    expected = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        import os
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from shop.catalog import Category, Product
            from shop.users import User


        def describe(product: Product, user: User) -> Category:
            return os.fspath(product.name)
        '''
    )
    assert move_to_type_checking(once, 8, ["User"]) == expected


def test_moving_uses_typing_type_checking_when_typing_is_imported() -> None:
    source = dedent(
        """\
        import typing

        from shop.catalog import Product


        def f(product: Product) -> None: ...
        """
    )
    expected = dedent(
        """\
        import typing

        if typing.TYPE_CHECKING:
            from shop.catalog import Product


        def f(product: "Product") -> None: ...
        """
    )
    assert move_to_type_checking(source, 3, ["Product"]) == expected


def test_moving_reuses_a_typing_type_checking_block() -> None:
    source = dedent(
        """\
        import typing

        from shop.catalog import Product

        if typing.TYPE_CHECKING:
            from shop.users import User


        def f(product: Product, user: User) -> None: ...
        """
    )
    expected = dedent(
        """\
        import typing

        if typing.TYPE_CHECKING:
            from shop.users import User
            from shop.catalog import Product


        def f(product: "Product", user: User) -> None: ...
        """
    )
    assert move_to_type_checking(source, 3, ["Product"]) == expected


def test_moving_a_parenthesised_relative_import() -> None:
    source = dedent(
        """\
        from __future__ import annotations

        from ..catalog.models import (
            Product,  # the product
            Category,
            Price,
        )


        def f(product: Product, category: Category) -> Price: ...
        """
    )
    partly = dedent(
        """\
        from __future__ import annotations

        from ..catalog.models import (
            Category,
        )
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from ..catalog.models import Product, Price


        def f(product: Product, category: Category) -> Price: ...
        """
    )
    whole = dedent(
        """\
        from __future__ import annotations

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from ..catalog.models import (
                Product,  # the product
                Category,
                Price,
            )


        def f(product: Product, category: Category) -> Price: ...
        """
    )
    assert move_to_type_checking(source, 3, ["Product", "Price"]) == partly
    assert move_to_type_checking(source, 3, []) == whole


def test_moving_a_plain_import_quotes_dotted_annotations() -> None:
    source = "import shop.catalog as catalog\n\n\ndef f(p: catalog.Product) -> int: ...\n"
    expected = dedent(
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            import shop.catalog as catalog


        def f(p: "catalog.Product") -> int: ...
        """
    )
    assert move_to_type_checking(source, 1, ["catalog"]) == expected


def test_quoting_picks_a_quote_the_annotation_does_not_use() -> None:
    source = 'from a import P\n\n\ndef f(p: dict["k", P]) -> None: ...\n'
    expected = dedent(
        """\
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from a import P


        def f(p: 'dict["k", P]') -> None: ...
        """
    )
    assert move_to_type_checking(source, 1, ["P"]) == expected


def test_moving_is_idempotent() -> None:
    for source, line, names in [
        (WITHOUT_FUTURE, 3, ["Product"]),
        (WITHOUT_FUTURE, 3, ["Product", "Category"]),
        (WITH_FUTURE, 8, ["Product"]),
        (WITH_FUTURE, 9, ["User"]),
    ]:
        once = move_to_type_checking(source, line, names)
        assert once != source
        assert move_to_type_checking(once, line, names) == once


def test_an_import_already_under_type_checking_is_left_alone() -> None:
    assert move_to_type_checking(WITH_FUTURE, 12, ["Category"]) == WITH_FUTURE
    assert move_to_type_checking(WITH_FUTURE, 11, []) == WITH_FUTURE


def test_moving_names_the_line_when_it_cannot() -> None:
    with pytest.raises(CodemodError, match=r"^line 6: expected a module-level import, found "):
        move_to_type_checking(WITHOUT_FUTURE, 6, ["Product"])
    with pytest.raises(CodemodError, match=r"^line 3: .* imports none of \['User'\]"):
        move_to_type_checking(WITHOUT_FUTURE, 3, ["User"])
    with pytest.raises(CodemodError, match=r"^line 2: the import 'import json' is not at module"):
        move_to_type_checking("def f():\n    import json\n", 2, ["json"])
    with pytest.raises(CodemodError, match=r"^line 1: cannot parse: "):
        move_to_type_checking("def f(:\n", 1, ["x"])


def test_the_outputs_compile() -> None:
    results = [
        move_to_type_checking(WITHOUT_FUTURE, 3, ["Product"]),
        move_to_type_checking(WITHOUT_FUTURE, 3, []),
        move_to_type_checking(WITH_FUTURE, 8, []),
        move_to_type_checking(WITH_FUTURE, 9, ["User"]),
        move_to_type_checking("from a import (\n    b,\n    c,\n)\nx: c\n", 1, ["c"]),
    ]
    for result in results:
        compile(result, "x.py", "exec")
