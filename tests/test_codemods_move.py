"""Moving functions and methods between modules: extract, needed_imports, insert, retarget."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from archguard.rewrites.codemods import CodemodError
from archguard.rewrites.codemods.move import extract, insert, needed_imports, retarget

FIXTURE = Path(__file__).parent.parent / "fixtures/commerce_platform/before/app/modules/tenancy"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


SERVICE = dedent('''
    """Store management: creation, lookups and the store catalog."""

    from __future__ import annotations

    import logging

    from sqlalchemy.orm import Session

    from app.modules.catalog.models import Product
    from app.modules.tenancy.models import Store, User

    logger = logging.getLogger(__name__)

    PAGE_SIZE = 50


    class StoreService:
        """Creates and maintains stores."""

        def get_store(self, db: Session, store_id: int) -> Store:
            """The store with this id."""
            return db.get(Store, store_id)

        # ---------------------------------------------------------------- catalog

        # Listing needs an existing store.
        def add_product_to_catalog(self, db: Session, store_id: int, title: str) -> Product:
            """List a product in a store's catalog.

            The title is kept as given.
            """
            product = Product(store_id=store_id, title=title)
            db.add(product)
            logger.info("listed %s in store %s", title, store_id)
            return product

        def get_products(self, db: Session, store_id: int) -> list[Product]:
            """The store's products, one page."""
            return self._helper(db).filter(Product.store_id == store_id).limit(PAGE_SIZE).all()

        def _helper(self, db: Session):
            return db.query(Product)  # every product


    store_service = StoreService()
''')

MOVED = [
    "StoreService.add_product_to_catalog",
    "StoreService.get_products",
    "StoreService._helper",
]

SERVICE_AFTER = dedent('''
    """Store management: creation, lookups and the store catalog."""

    from __future__ import annotations

    import logging

    from sqlalchemy.orm import Session

    from app.modules.catalog.models import Product
    from app.modules.tenancy.models import Store, User

    logger = logging.getLogger(__name__)

    PAGE_SIZE = 50


    class StoreService:
        """Creates and maintains stores."""

        def get_store(self, db: Session, store_id: int) -> Store:
            """The store with this id."""
            return db.get(Store, store_id)

        # ---------------------------------------------------------------- catalog


    store_service = StoreService()
''')

ADD_PRODUCT = dedent('''
    # Listing needs an existing store.
    def add_product_to_catalog(self, db: Session, store_id: int, title: str) -> Product:
        """List a product in a store's catalog.

        The title is kept as given.
        """
        product = Product(store_id=store_id, title=title)
        db.add(product)
        logger.info("listed %s in store %s", title, store_id)
        return product
''')

GET_PRODUCTS = dedent('''
    def get_products(self, db: Session, store_id: int) -> list[Product]:
        """The store's products, one page."""
        return self._helper(db).filter(Product.store_id == store_id).limit(PAGE_SIZE).all()
''')

HELPER = dedent('''
    def _helper(self, db: Session):
        return db.query(Product)  # every product
''')

CODES = [ADD_PRODUCT, GET_PRODUCTS, HELPER]

IMPORTS = [
    "import logging\n",
    "from sqlalchemy.orm import Session\n",
    "from app.modules.catalog.models import Product\n",
    "logger = logging.getLogger(__name__)\n",
    "PAGE_SIZE = 50\n",
]


# ---------------------------------------------------------------------------- extract


def test_extract_methods_with_attached_comments_dedented():
    source, codes = extract(SERVICE, MOVED)
    assert source == SERVICE_AFTER
    assert codes == CODES
    compile(source, "x.py", "exec")
    for code in codes:
        compile(code, "x.py", "exec")


def test_extract_top_level_function_keeps_surrounding_lines():
    source = dedent('''
        import os

        # Paths.


        @cache
        def root() -> str:
            return os.getcwd()


        def other() -> None:
            pass
    ''')
    new, codes = extract(source, ["root"])
    assert new == dedent('''
        import os

        # Paths.


        def other() -> None:
            pass
    ''')
    assert codes == ["@cache\ndef root() -> str:\n    return os.getcwd()\n"]
    compile(new, "x.py", "exec")


def test_extract_last_function_of_the_module_and_last_method_of_a_class():
    source = dedent('''
        class A:
            def only(self):
                return 1


        def last():
            return 2
    ''')
    new, codes = extract(source, ["last", "A.only"])
    assert new == "class A:\n    pass\n"
    assert codes == ["def last():\n    return 2\n", "def only(self):\n    return 1\n"]
    compile(new, "x.py", "exec")


def test_extract_applied_to_its_own_output_finds_nothing_to_move():
    source, _ = extract(SERVICE, ["StoreService.get_products"])
    with pytest.raises(CodemodError, match="class StoreService has no function 'get_products'"):
        extract(source, ["StoreService.get_products"])
    again, codes = extract(source, ["StoreService._helper"])
    assert codes == [HELPER]
    assert extract(again, [])[0] == again


def test_extract_errors_name_the_class_or_function():
    with pytest.raises(CodemodError, match="class ProductService not found"):
        extract(SERVICE, ["ProductService.get_products"])
    with pytest.raises(CodemodError, match="the module has no function 'missing'"):
        extract(SERVICE, ["missing"])
    with pytest.raises(CodemodError, match="line 2: cannot parse"):
        extract("def f(:\n    pass\n", ["f"])


def test_extract_and_insert_a_property_with_its_setter():
    source = dedent('''
        class Store:
            @property
            def code(self) -> str:
                return self._code

            @code.setter
            def code(self, value: str) -> None:
                self._code = value.lower()
    ''')
    rest, codes = extract(source, ["Store.code"])
    assert rest == "class Store:\n    pass\n"
    out = insert(None, codes, [], class_name="Shop", future=False)
    assert out == dedent('''
        class Shop:
            """Shop."""

            @property
            def code(self) -> str:
                return self._code

            @code.setter
            def code(self, value: str) -> None:
                self._code = value.lower()
    ''')
    assert insert(out, codes, [], class_name="Shop") == out


# ---------------------------------------------------------------------------- needed imports


def test_needed_imports_reduced_then_definitions():
    assert needed_imports(SERVICE, CODES) == IMPORTS


def test_needed_imports_of_a_route_copy_the_router_and_its_imports():
    source = dedent('''
        from fastapi import APIRouter, Depends, Query
        from app.core.database import get_db  # the session
        from app.modules.tenancy.services.store_service import store_service

        router = APIRouter(prefix="/stores")
        LIMIT = 200
        UNUSED = 1


        def _page(skip: int) -> int:
            return min(skip, LIMIT)


        @router.get("/{store_id}/products")
        def list_products(store_id: int, skip: int = Query(0), db=Depends(get_db)) -> list:
            """The store's catalog."""
            return store_service.get_products(db, store_id, skip=_page(skip))
    ''')
    _, codes = extract(source, ["list_products"])
    assert needed_imports(source, codes) == [
        "from fastapi import APIRouter, Depends, Query\n",
        "from app.core.database import get_db\n",
        "from app.modules.tenancy.services.store_service import store_service\n",
        'router = APIRouter(prefix="/stores")\n',
        "LIMIT = 200\n",
        "def _page(skip: int) -> int:\n    return min(skip, LIMIT)\n",
    ]


def test_needed_imports_keeps_aliases_type_checking_and_string_annotations():
    source = dedent('''
        from typing import TYPE_CHECKING
        import datetime as dt, os.path
        from sqlalchemy import func as sa_func, or_

        if TYPE_CHECKING:
            from app.models import Order, Store


        def f(order: "Order") -> dt.date:
            return sa_func.now() or os.path.sep
    ''')
    _, codes = extract(source, ["f"])
    assert needed_imports(source, codes) == [
        "from typing import TYPE_CHECKING\n",
        "import datetime as dt, os.path\n",
        "from sqlalchemy import func as sa_func\n",
        "if TYPE_CHECKING:\n    from app.models import Order\n",
    ]


def test_needed_imports_import_classes_of_the_source_instead_of_copying_them():
    source = dedent('''
        class Helper:
            pass


        helper = Helper()


        def f():
            return helper, Helper
    ''')
    _, codes = extract(source, ["f"])
    assert needed_imports(source, codes) == []
    assert needed_imports(source, codes, source_module="app.m") == [
        "from app.m import Helper, helper\n",
    ]


def test_needed_imports_ignores_locals_builtins_and_the_moved_code_itself():
    source = dedent('''
        import json
        from x import db, len


        def f(db):
            items = [g(i) for i in db]
            return len(items), json


        def g(i):
            return i
    ''')
    _, codes = extract(source, ["f", "g"])
    assert needed_imports(source, codes) == ["import json\n", "from x import len\n"]


def test_needed_imports_syntax_error_names_the_line():
    with pytest.raises(CodemodError, match="line 1: cannot parse"):
        needed_imports("import (\n", ["def f():\n    pass\n"])


# ---------------------------------------------------------------------------- insert

PRODUCT_SERVICE = dedent('''
    """Products listed in a store's catalog."""

    from __future__ import annotations

    import logging

    from sqlalchemy.orm import Session

    from app.modules.catalog.models import Product

    logger = logging.getLogger(__name__)
    PAGE_SIZE = 50


    class ProductService:
        """Product service."""

        # Listing needs an existing store.
        def add_product_to_catalog(self, db: Session, store_id: int, title: str) -> Product:
            """List a product in a store's catalog.

            The title is kept as given.
            """
            product = Product(store_id=store_id, title=title)
            db.add(product)
            logger.info("listed %s in store %s", title, store_id)
            return product

        def get_products(self, db: Session, store_id: int) -> list[Product]:
            """The store's products, one page."""
            return self._helper(db).filter(Product.store_id == store_id).limit(PAGE_SIZE).all()

        def _helper(self, db: Session):
            return db.query(Product)  # every product


    product_service = ProductService()
''')


def new_product_service() -> str:
    return insert(
        None,
        CODES,
        IMPORTS,
        class_name="ProductService",
        instance="product_service",
        module_doc="Products listed in a store's catalog.",
        first_party=["app"],
    )


def test_insert_methods_into_a_new_file_with_class_and_instance():
    out = new_product_service()
    assert out == PRODUCT_SERVICE
    compile(out, "x.py", "exec")


def test_insert_twice_is_once():
    once = new_product_service()
    kwargs = {"class_name": "ProductService", "instance": "product_service"}
    assert insert(once, CODES, IMPORTS, **kwargs) == once


def test_insert_into_an_existing_class_keeps_its_comments_and_layout():
    destination = dedent('''
        """Catalog products."""

        from sqlalchemy.orm import Session  # the session type

        from app.modules.catalog.models import Category


        class ProductService:
            """Reads and lists catalog products."""

            def categories(self, db: Session) -> list[Category]:
                return db.query(Category).all()

            def get_products(self, db, store_id):
                return []


        # The one instance the routes use.
        product_service = ProductService()
    ''')
    out = insert(destination, [ADD_PRODUCT, GET_PRODUCTS], IMPORTS[1:3],
                 class_name="ProductService", instance="product_service")
    assert out == dedent('''
        """Catalog products."""

        from sqlalchemy.orm import Session  # the session type

        from app.modules.catalog.models import Category, Product


        class ProductService:
            """Reads and lists catalog products."""

            def categories(self, db: Session) -> list[Category]:
                return db.query(Category).all()

            def get_products(self, db, store_id):
                return []

            # Listing needs an existing store.
            def add_product_to_catalog(self, db: Session, store_id: int, title: str) -> Product:
                """List a product in a store's catalog.

                The title is kept as given.
                """
                product = Product(store_id=store_id, title=title)
                db.add(product)
                logger.info("listed %s in store %s", title, store_id)
                return product


        # The one instance the routes use.
        product_service = ProductService()
    ''')
    compile(out, "x.py", "exec")


def test_insert_creates_a_missing_class_and_instance_at_the_end():
    destination = dedent('''
        """Catalog."""

        import logging
    ''')
    out = insert(destination, [HELPER], [], class_name="ProductService",
                 instance="product_service", class_doc="Catalog products.")
    assert out == dedent('''
        """Catalog."""

        import logging


        class ProductService:
            """Catalog products."""

            def _helper(self, db: Session):
                return db.query(Product)  # every product


        product_service = ProductService()
    ''')


def test_insert_top_level_functions_with_definitions_after_the_imports():
    destination = dedent('''
        from fastapi import APIRouter

        router = APIRouter(prefix="/products")


        @router.get("")
        def list_all():
            return []
    ''')
    route = '@router.get("/{product_id}")\ndef get_one(product_id: int):\n    return _find(product_id)\n'
    imports = [
        "from fastapi import APIRouter, Depends\n",
        "import os.path\n",
        "from typing import TYPE_CHECKING\n",
        "if TYPE_CHECKING:\n    from app.models import Product\n",
        'router = APIRouter(prefix="/stores")\n',
        "def _find(product_id):\n    return product_id\n",
    ]
    out = insert(destination, [route], imports)
    assert out == dedent('''
        from fastapi import APIRouter, Depends
        import os.path
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.models import Product


        def _find(product_id):
            return product_id


        router = APIRouter(prefix="/products")


        @router.get("")
        def list_all():
            return []


        @router.get("/{product_id}")
        def get_one(product_id: int):
            return _find(product_id)
    ''')
    assert insert(out, [route], imports) == out
    compile(out, "x.py", "exec")


def test_insert_new_file_without_future_or_docstring():
    out = insert(None, ["def f():\n    return os.sep\n"], ["import os\n"], future=False)
    assert out == "import os\n\n\ndef f():\n    return os.sep\n"


def test_insert_errors_name_the_line_or_the_class():
    with pytest.raises(CodemodError, match="line 1: cannot parse"):
        insert("def (:\n", [HELPER], [])
    with pytest.raises(CodemodError, match="class ProductService has no indented body"):
        insert("class ProductService: pass\n", [HELPER], [], class_name="ProductService")


# ---------------------------------------------------------------------------- retarget

OLD = "app.modules.tenancy.services.store_service"
NEW = "app.modules.catalog.services.product_service"

ROUTES = dedent('''
    """Admin store routes."""

    from __future__ import annotations

    from fastapi import APIRouter

    from app.modules.tenancy.services.store_service import store_service

    router = APIRouter(prefix="/stores")


    @router.post("/{store_id}/products")
    def add_product(store_id: int, title: str, db=None):
        # The store is checked first.
        store_service.get_store(db, store_id)
        return store_service.add_product_to_catalog(db, store_id, title)


    @router.get("/{store_id}/products")
    def list_products(store_id: int, db=None):
        store_service = None  # a local of the same name is not the service
        return store_service.get_products(db, store_id)
''')

ROUTES_AFTER = dedent('''
    """Admin store routes."""

    from __future__ import annotations

    from fastapi import APIRouter

    from app.modules.tenancy.services.store_service import store_service
    from app.modules.catalog.services.product_service import product_service

    router = APIRouter(prefix="/stores")


    @router.post("/{store_id}/products")
    def add_product(store_id: int, title: str, db=None):
        # The store is checked first.
        store_service.get_store(db, store_id)
        return product_service.add_product_to_catalog(db, store_id, title)


    @router.get("/{store_id}/products")
    def list_products(store_id: int, db=None):
        store_service = None  # a local of the same name is not the service
        return store_service.get_products(db, store_id)
''')

ATTRIBUTES = ["add_product_to_catalog", "get_products"]


def test_retarget_attribute_calls_keeps_the_old_import_still_used():
    out = retarget(ROUTES, OLD, "store_service", NEW, "product_service", ATTRIBUTES)
    assert out == ROUTES_AFTER
    compile(out, "x.py", "exec")


def test_retarget_twice_is_once():
    once = retarget(ROUTES, OLD, "store_service", NEW, "product_service", ATTRIBUTES)
    assert retarget(once, OLD, "store_service", NEW, "product_service", ATTRIBUTES) == once


def test_retarget_drops_the_old_import_when_nothing_else_uses_it():
    source = dedent('''
        from app.modules.tenancy.services.store_service import store_service  # the service


        def add(db, store_id, title):
            return store_service.add_product_to_catalog(db, store_id, title)
    ''')
    out = retarget(source, OLD, "store_service", NEW, "product_service", ATTRIBUTES)
    assert out == dedent('''
        from app.modules.catalog.services.product_service import product_service


        def add(db, store_id, title):
            return product_service.add_product_to_catalog(db, store_id, title)
    ''')


def test_retarget_a_directly_imported_function():
    source = dedent('''
        from app.core.pricing import gross_price as gross, net_price
        from app.modules.billing.pricing import round_to_cents


        def total(items):
            return round_to_cents(sum(gross(net_price(i)) for i in items))
    ''')
    out = retarget(source, "app.core.pricing", "net_price", "app.modules.billing.pricing",
                   "net_price", [])
    assert out == dedent('''
        from app.core.pricing import gross_price as gross
        from app.modules.billing.pricing import round_to_cents, net_price


        def total(items):
            return round_to_cents(sum(gross(net_price(i)) for i in items))
    ''')
    assert retarget(out, "app.core.pricing", "net_price", "app.modules.billing.pricing",
                    "net_price", []) == out
    aliased = retarget(out, "app.core.pricing", "gross_price", "app.modules.billing.pricing",
                       "gross_price", [])
    assert aliased == dedent('''
        from app.modules.billing.pricing import round_to_cents, net_price
        from app.modules.billing.pricing import gross_price as gross


        def total(items):
            return round_to_cents(sum(gross(net_price(i)) for i in items))
    ''')
    compile(aliased, "x.py", "exec")


def test_retarget_unchanged_when_nothing_matches():
    assert retarget(ROUTES, OLD, "store_service", NEW, "product_service", ["missing"]) == ROUTES
    assert retarget(ROUTES, "app.other", "store_service", NEW, "x", ATTRIBUTES) == ROUTES


def test_retarget_errors():
    with pytest.raises(CodemodError, match="line 1: cannot parse"):
        retarget("from x import (\n", OLD, "store_service", NEW, "product_service", [])
    with pytest.raises(CodemodError, match="line 7: store_service would be imported from both"):
        retarget(ROUTES, OLD, "store_service", NEW, "store_service", ATTRIBUTES)


# ---------------------------------------------------------------------------- the platform


def test_moving_the_catalog_out_of_the_platform_store_service():
    service = (FIXTURE / "services/store_service.py").read_text(encoding="utf-8")
    routes = (FIXTURE / "routes/api/admin_stores.py").read_text(encoding="utf-8")
    moved = [
        "StoreService.add_product_to_catalog",
        "StoreService.add_marketplace_product",
        "StoreService.get_products",
        "StoreService._product_in_catalog",
    ]
    rest, codes = extract(service, moved)
    imports = needed_imports(service, codes)
    assert "from app.modules.catalog.models import Product\n" in imports
    assert "logger = logging.getLogger(__name__)\n" in imports
    product_service = insert(None, codes, imports, class_name="ProductService",
                             instance="product_service", module_doc="Store catalogs.")
    caller = retarget(routes, OLD, "store_service", NEW, "product_service",
                      ["add_marketplace_product", "get_products"])
    for text in (rest, product_service, caller):
        compile(text, "x.py", "exec")
    assert "def get_products" not in rest and "def get_store" in rest
    assert product_service.count("    def ") == 4
    assert "product_service.get_products(" in caller
    assert "store_service.get_store(" in caller
