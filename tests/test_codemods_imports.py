"""The import codemods: remove_import, add_import, unused_names, drop_from_all."""

from __future__ import annotations

from textwrap import dedent

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.imports import (
    add_import,
    drop_from_all,
    remove_import,
    unused_names,
)

MODULE = dedent(
    '''\
    """Orders."""

    from __future__ import annotations

    import os
    # the catalogue
    from shop.catalog import Product, Category as Cat, Price  # models

    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        # hints only
        from shop.users import User


    def total(order):
        import json  # lazy
        return json.dumps(order)
    '''
)


# -- remove_import --------------------------------------------------------------------------


def test_remove_import_takes_one_name_out_of_a_from_import() -> None:
    assert remove_import(MODULE, 7, ["Cat"]) == MODULE.replace(
        "Product, Category as Cat, Price", "Product, Price"
    )


def test_remove_import_takes_the_last_name_out_without_a_dangling_comma() -> None:
    assert remove_import(MODULE, 7, ["Price"]) == MODULE.replace(
        "Product, Category as Cat, Price", "Product, Category as Cat"
    )


def test_remove_import_removes_the_line_and_keeps_the_comments_around_it() -> None:
    expected = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        import os
        # the catalogue

        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            # hints only
            from shop.users import User


        def total(order):
            import json  # lazy
            return json.dumps(order)
        '''
    )
    assert remove_import(MODULE, 7) == expected
    assert remove_import(MODULE, 7, ["Product", "Cat", "Price"]) == expected


def test_remove_import_blank_lines_around_a_removed_line_do_not_add_up() -> None:
    source = dedent(
        """\
        import os

        import sys

        x = 1
        """
    )
    assert remove_import(source, 3) == "import os\n\nx = 1\n"
    assert remove_import(source, 1) == "import sys\n\nx = 1\n"


def test_remove_import_of_the_last_name_of_a_type_checking_block_removes_the_block() -> None:
    expected = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        import os
        # the catalogue
        from shop.catalog import Product, Category as Cat, Price  # models

        from typing import TYPE_CHECKING


        def total(order):
            import json  # lazy
            return json.dumps(order)
        '''
    )
    assert remove_import(MODULE, 13, ["User"]) == expected


def test_remove_import_keeps_a_type_checking_block_with_an_else_as_pass() -> None:
    source = dedent(
        """\
        if TYPE_CHECKING:
            from shop.users import User
        else:
            User = object
        """
    )
    expected = dedent(
        """\
        if TYPE_CHECKING:
            pass
        else:
            User = object
        """
    )
    assert remove_import(source, 2) == expected


def test_remove_import_leaves_pass_in_a_function_it_empties() -> None:
    source = dedent(
        """\
        def load():
            # optional
            import json


        x = 1
        """
    )
    expected = dedent(
        """\
        def load():
            # optional
            pass


        x = 1
        """
    )
    assert remove_import(source, 3) == expected


def test_remove_import_inside_a_function_keeps_the_rest_of_its_body() -> None:
    expected = MODULE.replace("    import json  # lazy\n", "")
    assert remove_import(MODULE, 17, ["json"]) == expected


def test_remove_import_of_plain_imports_uses_the_bound_name() -> None:
    source = "import os.path, shop.catalog as catalog, sys\nprint(sys)\n"
    assert remove_import(source, 1, ["os"]) == "import shop.catalog as catalog, sys\nprint(sys)\n"
    assert remove_import(source, 1, ["catalog", "sys"]) == "import os.path\nprint(sys)\n"
    assert remove_import(source, 1, ["shop"]) == source


def test_remove_import_from_a_parenthesised_import_keeps_its_layout() -> None:
    source = dedent(
        """\
        from shop.catalog import (
            Product,  # the product
            Category,
            Price,  # the price
        )
        """
    )
    without_category = dedent(
        """\
        from shop.catalog import (
            Product,  # the product
            Price,  # the price
        )
        """
    )
    without_price = dedent(
        """\
        from shop.catalog import (
            Product,  # the product
            Category,
        )
        """
    )
    assert remove_import(source, 1, ["Category"]) == without_category
    assert remove_import(source, 1, ["Price"]) == without_price
    assert remove_import(source, 1, ["Product", "Category", "Price"]) == ""


def test_remove_import_of_a_relative_import() -> None:
    source = "from ..catalog.models import Product, Price\n\nx = Price\n"
    assert remove_import(source, 1, ["Product"]) == "from ..catalog.models import Price\n\nx = Price\n"
    assert remove_import(source, 1) == "x = Price\n"


def test_remove_import_is_idempotent() -> None:
    once = remove_import(MODULE, 7, ["Cat"])
    assert remove_import(once, 7, ["Cat"]) == once
    whole = remove_import(MODULE, 13, ["User"])
    assert remove_import(whole, 13, ["User"]) == whole


def test_remove_import_of_names_the_statement_does_not_bind_changes_nothing() -> None:
    assert remove_import(MODULE, 7, ["User"]) == MODULE


def test_remove_import_where_there_is_no_import_names_the_line() -> None:
    with pytest.raises(CodemodError, match=r"^line 16: expected an import statement, found "):
        remove_import(MODULE, 16)
    with pytest.raises(CodemodError, match=r"^line 4: expected an import statement, found ''"):
        remove_import(MODULE, 4, ["os"])


def test_remove_import_of_names_imported_nowhere_changes_nothing() -> None:
    """What a second run sees once the statement is gone."""
    assert remove_import(MODULE, 4, ["requests"]) == MODULE


def test_a_syntax_error_is_a_codemod_error_naming_the_line() -> None:
    with pytest.raises(CodemodError, match=r"^line 2: cannot parse: "):
        remove_import("import os\ndef broken(:\n", 1)
    with pytest.raises(CodemodError, match=r"^line 2: cannot parse: "):
        add_import("import os\ndef broken(:\n", "x", ["y"])


# -- add_import -----------------------------------------------------------------------------


def test_add_import_extends_an_existing_from_import() -> None:
    assert add_import(MODULE, "shop.catalog", ["Stock", "Product"]) == MODULE.replace(
        "Category as Cat, Price  # models", "Category as Cat, Price, Stock  # models"
    )


def test_add_import_extends_a_parenthesised_import_in_its_layout() -> None:
    source = dedent(
        """\
        from shop.catalog import (
            Product,
            Price,  # the price
        )
        """
    )
    expected = dedent(
        """\
        from shop.catalog import (
            Product,
            Price,  # the price
            Stock,
            Offer,
        )
        """
    )
    assert add_import(source, "shop.catalog", ["Stock", "Offer"]) == expected


def test_add_import_extends_a_parenthesised_import_of_one_name() -> None:
    source = "from shop.catalog import (\n    Product,\n)\n"
    expected = "from shop.catalog import (\n    Product,\n    Stock,\n)\n"
    assert add_import(source, "shop.catalog", ["Stock"]) == expected


def test_add_import_adds_a_statement_after_the_last_import_at_the_top() -> None:
    expected = MODULE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\nfrom sqlalchemy.orm import backref, relationship\n",
    )
    assert add_import(MODULE, "sqlalchemy.orm", ["backref", "relationship"]) == expected


def test_add_import_after_the_docstring_and_future_import() -> None:
    source = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        X = 1
        '''
    )
    expected = dedent(
        '''\
        """Orders."""

        from __future__ import annotations

        from sqlalchemy.orm import backref

        X = 1
        '''
    )
    assert add_import(source, "sqlalchemy.orm", ["backref"]) == expected
    assert add_import('"""Orders."""\nX = 1\n', "a", ["b"]) == (
        '"""Orders."""\n\nfrom a import b\n\nX = 1\n'
    )
    assert add_import("X = 1\n", "a", ["b"]) == "from a import b\n\nX = 1\n"


def test_add_import_of_a_relative_module() -> None:
    source = "from ..catalog import Product\nimport os\n"
    assert add_import(source, "..catalog", ["Price"]) == (
        "from ..catalog import Product, Price\nimport os\n"
    )
    assert add_import(source, ".models", ["Price"]) == (
        "from ..catalog import Product\nimport os\nfrom .models import Price\n"
    )


def test_add_import_does_not_add_names_already_imported() -> None:
    assert add_import(MODULE, "shop.catalog", ["Product", "Price"]) == MODULE
    once = add_import(MODULE, "shop.catalog", ["Category"])
    assert once == MODULE.replace("Cat, Price  #", "Cat, Price, Category  #")
    assert add_import(once, "shop.catalog", ["Category"]) == once


def test_add_import_does_not_count_imports_inside_blocks() -> None:
    expected = MODULE.replace(
        "from typing import TYPE_CHECKING\n",
        "from typing import TYPE_CHECKING\nfrom shop.users import User\n",
    )
    assert add_import(MODULE, "shop.users", ["User"]) == expected


def test_add_import_needs_names() -> None:
    with pytest.raises(ValueError, match="at least one name"):
        add_import(MODULE, "shop.catalog", [])


# -- unused_names ---------------------------------------------------------------------------


def test_unused_names_are_those_nothing_reads_outside_imports() -> None:
    source = dedent(
        """\
        from shop.catalog import Product, Price, Stock, Offer, Cart, Tax
        from shop.users import User, Group
        import shop.orders

        __all__ = ["Stock"]


        def buy(item: "Product", *, user=None) -> None:
            shop.orders.place(item, Tax=1)
            item.Offer = 2
            counter = 0
            counter += 1
            del Cart
        """
    )
    names = ["Product", "Price", "Stock", "Offer", "Cart", "Tax", "User", "Group", "shop"]
    assert unused_names(source, names) == ["Price", "Offer", "Tax", "User", "Group"]


def test_unused_names_sees_annotations_and_plain_reads() -> None:
    source = "from a import B, C\n\ndef f(x: list[B]) -> None:\n    return C\n"
    assert unused_names(source, ["B", "C", "D"]) == ["D"]


# -- drop_from_all --------------------------------------------------------------------------


def test_drop_from_all_removes_entries_from_a_multiline_list() -> None:
    source = dedent(
        """\
        from shop.catalog import Product, Price

        __all__ = [
            "Product",  # the product
            "Price",  # the price
        ]
        """
    )
    without_price = dedent(
        """\
        from shop.catalog import Product, Price

        __all__ = [
            "Product",  # the product
        ]
        """
    )
    without_product = dedent(
        """\
        from shop.catalog import Product, Price

        __all__ = [
            "Price",  # the price
        ]
        """
    )
    assert drop_from_all(source, ["Price"]) == without_price
    assert drop_from_all(source, ["Product"]) == without_product
    assert drop_from_all(without_price, ["Price"]) == without_price


def test_drop_from_all_of_tuples_and_empty_results() -> None:
    assert drop_from_all('__all__ = ("a", "b")\n', ["b"]) == '__all__ = ("a",)\n'
    assert drop_from_all("__all__ = 'a', 'b'\n", ["a"]) == "__all__ = 'b',\n"
    assert drop_from_all('__all__ = [\n    "a",\n]\n', ["a"]) == "__all__ = []\n"
    assert drop_from_all('__all__: list[str] = ["a", "b"]\n', ["a"]) == (
        '__all__: list[str] = ["b"]\n'
    )


def test_drop_from_all_without_all_or_the_names_changes_nothing() -> None:
    assert drop_from_all(MODULE, ["Product"]) == MODULE
    source = '__all__ = ["a"]\n\ndef f():\n    __all__ = ["b"]\n'
    assert drop_from_all(source, ["b", "c"]) == source


# -- the outputs are Python -----------------------------------------------------------------


def test_the_outputs_compile() -> None:
    results = [
        remove_import(MODULE, 7),
        remove_import(MODULE, 7, ["Price"]),
        remove_import(MODULE, 13, ["User"]),
        remove_import(MODULE, 17),
        remove_import("def f():\n    import a\n", 2),
        remove_import("if x: import a\n", 1),
        remove_import("from a import (\n    b,\n    c,\n)\n", 1, ["c"]),
        add_import(MODULE, "shop.catalog", ["Stock"]),
        add_import(MODULE, "a.b", ["c", "d"]),
        add_import("from a import (\n    b\n)\n", "a", ["c"]),
        drop_from_all('__all__ = ("a",)\n', ["a"]),
        drop_from_all('__all__ = "a", "b"\n', ["b"]),
    ]
    for result in results:
        compile(result, "x.py", "exec")
