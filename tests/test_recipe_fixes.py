"""Each mechanical recipe's rewrite, end to end on a small project of its own: check,
propose, `plan_fixes`, write; the file comes out as written here, the violation is gone on
the next check, and a second run rewrites nothing."""

from __future__ import annotations

import textwrap

import pytest

from archguard.application.check import run_check
from archguard.application.fix import plan_fixes, write_fixes
from archguard.application.project import Project
from archguard.application.propose import propose

from .recipe_projects import build


def _fixed(tmp_path, name: str, recipe: str):
    root, config = build(tmp_path, name)
    before = run_check(root, config, use_cache=False)
    project = Project(root, config, use_cache=False)
    run = plan_fixes(project, propose(project, before), unsafe=True,
                     recipes=frozenset({recipe}))
    assert run.applied, [s.reason for s in run.skipped]
    write_fixes(project, run)
    after = run_check(root, config, use_cache=False)
    again = Project(root, config, use_cache=False)
    second = plan_fixes(again, propose(again, after), unsafe=True, recipes=frozenset({recipe}))
    assert second.texts == {}, second.diff()
    return root, before, after


def _text(root, relative: str) -> str:
    return (root / "app" / "modules" / relative).read_text()


def _dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def _gone(before, after, file: str) -> None:
    assert any(v.file.endswith(file) for v in before.violations)
    assert not any(v.file.endswith(file) for v in after.violations)


def test_type_checking_only_moves_the_import_and_quotes_the_annotation(tmp_path):
    root, before, after = _fixed(tmp_path, "type-checking-only", "type-checking-only")
    assert _text(root, "shop/describe.py") == _dedent('''
        from typing import TYPE_CHECKING

        if TYPE_CHECKING:
            from app.modules.gifts.models import Gift


        def describe(gift: "Gift") -> str:
            return gift.name


        def label(gift: "Gift | None" = None) -> str:
            return "gift" if gift is None else gift.name
    ''')
    _gone(before, after, "shop/describe.py")
    # Where FastAPI reads the annotation, nothing was rewritten.
    assert "from app.modules.gifts.models import Gift\n" in _text(root, "shop/routes.py")


def test_relationship_other_side_moves_the_relationship_to_the_optional_model(tmp_path):
    root, before, after = _fixed(tmp_path, "relationship-other-side",
                                 "relationship-other-side")
    assert _text(root, "stores/models.py") == _dedent('''
        from sqlalchemy import Integer
        from sqlalchemy.orm import Mapped, mapped_column

        from app.core.database import Base


        class Store(Base):
            __tablename__ = "stores"
            id = mapped_column(Integer, primary_key=True)
    ''')
    assert _text(root, "reviews/models.py") == _dedent('''
        from sqlalchemy import ForeignKey, Integer
        from sqlalchemy.orm import mapped_column, relationship, backref

        from app.core.database import Base


        class Review(Base):
            __tablename__ = "reviews"
            id = mapped_column(Integer, primary_key=True)
            store_id = mapped_column(ForeignKey("stores.id"))
            store = relationship("Store", backref=backref("reviews"))
    ''')
    _gone(before, after, "stores/models.py")


def test_guard_optional_returns_the_empty_answer_without_the_module(tmp_path):
    root, before, after = _fixed(tmp_path, "guard-optional", "guard-optional")
    text = _text(root, "customers/history.py")
    assert _dedent('''
        def order_lines(db, customer_id: int) -> list[dict]:
            try:
                from app.modules.orders.models import Order
            except ImportError:  # orders is optional: disabled or not installed
                return []

            customer = db.get(Customer, customer_id)
    ''') in text
    # Functions whose empty answer the annotation does not tell are left as they were.
    assert _dedent('''
        def latest_order(db, customer_id: int):
            from app.modules.orders.models import Order
    ''') in text
    compile(text, "history.py", "exec")
    # The guarded import no longer breaks the contract; the two left unguarded still do.
    in_history = [v for v in before.violations if v.file.endswith("customers/history.py")]
    assert len(in_history) == 3
    assert len([v for v in after.violations if v.file.endswith("customers/history.py")]) == 2


@pytest.mark.parametrize("name", ["move-function"])
def test_move_function_moves_the_method_its_imports_and_the_instance(tmp_path, name):
    root, before, after = _fixed(tmp_path, name, "move-function")
    assert _text(root, "tenancy/store_service.py") == _dedent('''
        from app.modules.tenancy.models import Store


        class StoreService:
            def get_store(self, db, store_id):
                return db.get(Store, store_id)


        store_service = StoreService()
    ''')
    moved = _text(root, "catalog/services/product_service.py")
    compile(moved, "product_service.py", "exec")
    assert "from app.modules.catalog.models import Product\n" in moved
    assert "class ProductService:" in moved
    assert "    def get_products(self, db, store_id):\n        return db.query(Product)" in moved
    assert "\nproduct_service = ProductService()\n" in moved
    _gone(before, after, "tenancy/store_service.py")


def test_extract_protocol_writes_the_protocol_its_provider_the_registration_and_the_calls(
        tmp_path):
    root, before, after = _fixed(tmp_path, "extract-protocol-lookup", "extract-protocol")
    assert _text(root, "contracts/catalog.py") == _dedent('''
        """Protocols for what other modules may ask of the catalog module."""

        from __future__ import annotations

        from typing import TYPE_CHECKING, Protocol, runtime_checkable

        if TYPE_CHECKING:
            from sqlalchemy.orm import Session


        @runtime_checkable
        class ProductCountProviderProtocol(Protocol):
            """Counts the catalog module's Product rows for modules that may not import it."""

            def get_product_count(self, db: Session, store_id: int | None = None) -> int:
                """Product rows with the given store_id; a filter left None is not applied."""
                ...
    ''')
    assert _text(root, "catalog/services/product_count_provider.py") == _dedent('''
        """ProductCountProvider: the catalog module's answer to ProductCountProviderProtocol (contracts)."""

        from __future__ import annotations

        from sqlalchemy import func
        from sqlalchemy.orm import Session

        from app.modules.catalog.models import Product


        class ProductCountProvider:
            """Answers ProductCountProviderProtocol for the modules that may not import catalog."""

            def get_product_count(self, db: Session, store_id: int | None = None) -> int:
                """Product rows with the given store_id; a filter left None is not applied."""
                query = db.query(func.count(Product.id))
                if store_id is not None:
                    query = query.filter(Product.store_id == store_id)
                return int(query.scalar() or 0)


        product_count_provider = ProductCountProvider()
    ''')
    assert _text(root, "catalog/services/__init__.py") == '"""Services of the catalog module."""\n'
    assert _text(root, "catalog/definition.py") == _dedent('''
        from app.modules.base import ModuleDefinition
        from app.modules.contracts.catalog import ProductCountProviderProtocol


        def _get_product_count_provider():
            from app.modules.catalog.services.product_count_provider import product_count_provider

            return product_count_provider


        catalog_module = ModuleDefinition(
            code="catalog",
            is_core=False,
            requires=[],
            providers={ProductCountProviderProtocol: _get_product_count_provider},
        )
    ''')
    assert _text(root, "billing/usage.py") == _dedent('''
        from app.modules.billing.models import Subscription, usage_left
        from app.modules.contracts.catalog import ProductCountProviderProtocol
        from app.modules.providers import get_provider


        def store_usage(db, store_id: int) -> dict:
            subscription = db.get(Subscription, store_id)
            product_counter = get_provider(ProductCountProviderProtocol)
            products = product_counter.get_product_count(db, store_id=store_id) if product_counter else 0
            return {"products": products, "limit": subscription.product_limit,
                    "plan": subscription.plan, "left": usage_left(subscription)}
    ''')
    # The unfiltered count passes no filter; `func` read only by the query goes with it.
    forecast = _text(root, "billing/forecast.py")
    assert "    total = product_counter.get_product_count(db) if product_counter else 0\n" \
        in forecast
    assert "func" not in forecast and "catalog.models" not in forecast
    _gone(before, after, "billing/usage.py")
    _gone(before, after, "billing/forecast.py")
    # Uses that are not row counts stay a person's: reports/media.py is not rewritten.
    assert any(v.file.endswith("reports/media.py") for v in after.violations)


def test_extract_protocol_is_not_written_without_a_provider_lookup(tmp_path):
    root, config = build(tmp_path, "extract-protocol")
    result = run_check(root, config, use_cache=False)
    project = Project(root, config, use_cache=False)
    run = plan_fixes(project, propose(project, result), unsafe=True,
                     recipes=frozenset({"extract-protocol"}))
    assert run.texts == {} and not run.applied
    reasons = [s.reason for s in run.skipped]
    assert any("no provider lookup yet: first add a kernel `get_provider(protocol)`" in r
               and "(its providers is a list[object])" in r for r in reasons), reasons
