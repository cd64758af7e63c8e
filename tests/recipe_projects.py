"""Small modular apps of their own, one per rewrite recipe, for tests/test_recipes.py.

Each project has a kernel (``app.main``, ``app.core``, ``app.modules.base``), modules under
``app/modules/<name>/`` whose ``definition.py`` declares the category (``is_core``) and
``requires`` the way the reference platform's do, and an ``archguard.yaml`` with the
platform's contracts. ``build(tmp_path, name)`` writes one below ``tmp_path`` and returns
its root and its loaded configuration.
"""

from __future__ import annotations

from pathlib import Path

from archguard.config import load_config
from archguard.config.loader import ArchitectureConfig

from .conftest import write_tree

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.main, app.core, app.modules.base]
categories: {core: {}, optional: {}}
definitions: {read: [category, requires]}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
  - id: optional-declared-dependencies
    type: declared_dependencies
    categories: [optional]
    allow_categories: [core]
"""

#: Added to the configuration of the projects with a contracts module.
PURE_CONTRACTS = """
  - {id: contracts-pure, type: purity, modules: [contracts], allow: [app.modules.base]}
"""

KERNEL = {
    "app/__init__.py": "",
    "app/main.py": '"""Starts the app; routes and models are discovered."""\n',
    "app/core/__init__.py": "",
    "app/core/database.py": '''
        class Base:
            """The declarative base of every model."""
    ''',
    "app/modules/__init__.py": "",
    "app/modules/base.py": '''
        from dataclasses import dataclass, field


        @dataclass
        class ModuleDefinition:
            code: str
            is_core: bool = False
            requires: list[str] = field(default_factory=list)
            providers: list[object] = field(default_factory=list)
    ''',
}


def module(name: str, *, core: bool, requires: tuple[str, ...] = (),
           files: dict[str, str] | None = None) -> dict[str, str]:
    """The files of one module: its package, its definition and ``files`` (relative to the
    module's folder)."""
    listed = ", ".join(f'"{r}"' for r in requires)
    folder = f"app/modules/{name}"
    tree = {
        f"{folder}/__init__.py": "",
        f"{folder}/definition.py": (
            "from app.modules.base import ModuleDefinition\n\n"
            f'{name}_module = ModuleDefinition(code="{name}", is_core={core}, '
            f"requires=[{listed}])\n"),
    }
    for relative, text in (files or {}).items():
        tree[f"{folder}/{relative}"] = text
    return tree


# -- type-checking-only --------------------------------------------------------------------

GIFT = '''
    class Gift:
        name: str = ""
'''


def type_checking_only() -> dict[str, str]:
    """shop (core) names gifts' Gift (optional): in annotations only (describe.py, and
    describe_later.py with postponed annotations), in a FastAPI route's signature, a
    pydantic field, a ``Mapped[...]`` column and a dataclass field (all evaluated at run
    time), and at run time (make.py)."""
    return {
        **module("gifts", core=False, files={"models.py": GIFT}),
        **module("shop", core=True, files={
            "describe.py": '''
                from app.modules.gifts.models import Gift


                def describe(gift: Gift) -> str:
                    return gift.name


                def label(gift: "Gift | None" = None) -> str:
                    return "gift" if gift is None else gift.name
            ''',
            "routes.py": '''
                from fastapi import APIRouter

                from app.modules.gifts.models import Gift

                router = APIRouter()


                @router.get("/gifts/{name}")
                def show_gift(gift: Gift) -> str:
                    return gift.name
            ''',
            "schemas.py": '''
                from pydantic import BaseModel

                from app.modules.gifts.models import Gift


                class GiftOut(BaseModel):
                    gift: Gift
            ''',
            "models.py": '''
                from sqlalchemy.orm import Mapped

                from app.core.database import Base
                from app.modules.gifts.models import Gift


                class Wrapping(Base):
                    __tablename__ = "wrappings"
                    gift: Mapped[Gift]
            ''',
            "boxes.py": '''
                from dataclasses import dataclass

                from app.modules.gifts.models import Gift


                @dataclass
                class Box:
                    gift: Gift
            ''',
            "describe_later.py": '''
                from __future__ import annotations

                from app.modules.gifts.models import Gift


                def describe_later(gift: Gift) -> str:
                    return gift.name
            ''',
            "make.py": '''
                from app.modules.gifts.models import Gift


                def make(name: str) -> Gift:
                    return Gift()
            ''',
        }),
    }


# -- relationship-other-side ---------------------------------------------------------------

def relationship_other_side(*, typed: bool = False) -> dict[str, str]:
    """stores (core): ``Store.reviews = relationship("Review", back_populates="store")``
    (with ``typed``, SQLAlchemy 2.0's ``reviews: Mapped[list["Review"]] =
    relationship(back_populates="store")``); reviews (optional): ``Review.store``, the
    other side, with the foreign key."""
    reviews = ('reviews: Mapped[list["Review"]] = relationship(back_populates="store")'
               if typed else 'reviews = relationship("Review", back_populates="store")')
    return {
        **module("stores", core=True, files={"models.py": f'''
            from sqlalchemy import Integer
            from sqlalchemy.orm import Mapped, mapped_column, relationship

            from app.core.database import Base


            class Store(Base):
                __tablename__ = "stores"
                id = mapped_column(Integer, primary_key=True)
                {reviews}
        '''}),
        **module("reviews", core=False, files={"models.py": '''
            from sqlalchemy import ForeignKey, Integer
            from sqlalchemy.orm import mapped_column, relationship

            from app.core.database import Base


            class Review(Base):
                __tablename__ = "reviews"
                id = mapped_column(Integer, primary_key=True)
                store_id = mapped_column(ForeignKey("stores.id"))
                store = relationship("Store", back_populates="reviews")
        '''}),
    }


# -- use-provider --------------------------------------------------------------------------

def use_provider(*, aggregator: bool = True) -> dict[str, str]:
    """contracts: ``MetricsProviderProtocol``; dashboard (core): the aggregator asking every
    provider (unless not ``aggregator``); tenancy (core): a route calling analytics'
    (optional) stats service."""
    files = {
        **module("contracts", core=True, files={"metrics.py": '''
            from typing import Protocol


            class MetricsProviderProtocol(Protocol):
                """Each module reports its own statistics for a store's dashboard."""

                def get_store_metrics(self, store_id: int) -> list[dict]: ...
        '''}),
        **module("dashboard", core=True, files={"stats_aggregator.py": '''
            from app.modules.contracts.metrics import MetricsProviderProtocol


            class StatsAggregator:
                def __init__(self) -> None:
                    self.providers: list[MetricsProviderProtocol] = []

                def get_store_stats(self, store_id: int) -> list[dict]:
                    return [m for p in self.providers for m in p.get_store_metrics(store_id)]


            stats_aggregator = StatsAggregator()
        '''}),
        **module("analytics", core=False, files={"stats_service.py": '''
            class StatsService:
                def get_store_stats(self, store_id: int) -> dict:
                    return {"store": store_id, "orders": 0}


            stats_service = StatsService()
        '''}),
        **module("tenancy", core=True, files={"routes.py": '''
            from fastapi import APIRouter

            from app.modules.analytics.stats_service import stats_service

            router = APIRouter()


            @router.get("/stores/{store_id}/stats")
            def store_stats(store_id: int) -> dict:
                return stats_service.get_store_stats(store_id)
        '''}),
    }
    if not aggregator:
        files = {path: text for path, text in files.items()
                 if not path.startswith("app/modules/dashboard/")}
    return files


# -- move-function -------------------------------------------------------------------------

PRODUCT = '''
    from app.core.database import Base


    class Product(Base):
        __tablename__ = "products"


    class Category(Base):
        __tablename__ = "categories"
'''

STORE_MODELS = '''
    from app.core.database import Base


    class Store(Base):
        __tablename__ = "stores"
'''


def move_function() -> dict[str, str]:
    """tenancy (core): ``StoreService.get_products`` reads only catalog's (optional) names,
    ``get_store`` only tenancy's own."""
    return {
        **module("catalog", core=False, files={"models.py": PRODUCT}),
        **module("tenancy", core=True, files={
            "models.py": STORE_MODELS,
            "store_service.py": '''
                from app.modules.catalog.models import Product
                from app.modules.tenancy.models import Store


                class StoreService:
                    def get_store(self, db, store_id):
                        return db.get(Store, store_id)

                    def get_products(self, db, store_id):
                        return db.query(Product).filter(Product.store_id == store_id).all()


                store_service = StoreService()
            ''',
        }),
    }


def move_function_conflict() -> dict[str, str]:
    """tenancy (core): ``StoreService.publish_products`` reads two catalog names and one
    marketplace name; neither optional module requires the other."""
    return {
        **module("catalog", core=False, files={"models.py": PRODUCT}),
        **module("marketplace", core=False, files={"models.py": '''
            from app.core.database import Base


            class Listing(Base):
                __tablename__ = "listings"
        '''}),
        **module("tenancy", core=True, files={
            "models.py": STORE_MODELS,
            "store_service.py": '''
                from app.modules.catalog.models import Category, Product
                from app.modules.marketplace.models import Listing
                from app.modules.tenancy.models import Store


                class StoreService:
                    def get_store(self, db, store_id):
                        return db.get(Store, store_id)

                    def publish_products(self, db, category_id):
                        category = db.get(Category, category_id)
                        products = db.query(Product).filter(Product.category == category)
                        return [Listing(product_id=p.id) for p in products]


                store_service = StoreService()
            ''',
        }),
    }


# -- guard-optional ------------------------------------------------------------------------

def guard_optional() -> dict[str, str]:
    """customers (core): functions reading mostly customers' own names and importing
    orders (optional) lazily: annotated ``-> list[dict]``, not annotated, and annotated
    with a class (whose empty answer nothing says)."""
    return {
        **module("orders", core=False, files={"models.py": '''
            from app.core.database import Base


            class Order(Base):
                __tablename__ = "orders"
        '''}),
        **module("customers", core=True, files={
            "models.py": '''
                from app.core.database import Base


                class Customer(Base):
                    __tablename__ = "customers"
            ''',
            "history.py": '''
                from app.modules.customers.models import Customer


                def _label(customer) -> str:
                    return customer.name


                def order_lines(db, customer_id: int) -> list[dict]:
                    from app.modules.orders.models import Order

                    customer = db.get(Customer, customer_id)
                    orders = db.query(Order).filter(Order.customer_id == customer_id)
                    return [{"customer": _label(customer), "order": o.id} for o in orders]


                def latest_order(db, customer_id: int):
                    from app.modules.orders.models import Order

                    customer = db.get(Customer, customer_id)
                    order = db.query(Order).filter(Order.customer_id == customer_id).first()
                    return {"customer": _label(customer), "order": order.id}


                def order_customer(db, order_id: int) -> Customer:
                    from app.modules.orders.models import Order

                    order = db.get(Order, order_id)
                    customer = db.get(Customer, order.customer_id)
                    print("order of", _label(customer))
                    return customer
            ''',
        }),
    }


#: A kernel that finds a contract's implementation among the loaded modules' definitions.
PROVIDER_KERNEL = {
    "app/modules/base.py": '''
        from collections.abc import Callable
        from dataclasses import dataclass, field


        @dataclass
        class ModuleDefinition:
            code: str
            is_core: bool = False
            requires: list[str] = field(default_factory=list)
            providers: dict[type, Callable[[], object]] = field(default_factory=dict)
    ''',
    "app/modules/providers.py": '''
        """The implementation of a contract among the loaded modules, or None."""

        from app.modules.registry import DEFINITIONS


        def get_provider(protocol):
            for definition in DEFINITIONS:
                getter = definition.providers.get(protocol)
                if getter is not None:
                    return getter()
            return None
    ''',
    "app/modules/registry.py": '''
        """The definitions of the modules installed."""

        import importlib
        import pkgutil

        import app.modules

        DEFINITIONS = []
        for found in pkgutil.iter_modules(app.modules.__path__):
            if found.ispkg:
                loaded = importlib.import_module(f"app.modules.{found.name}.definition")
                DEFINITIONS.append(getattr(loaded, f"{found.name}_module"))
    ''',
}


def extract_protocol(lookup: bool = False) -> dict[str, str]:
    """billing (core) counts catalog's (optional) Product rows in two services, filtered by
    store and not; reports (core) reads catalog's ProductMedia in functions about media
    usage. A contracts module exists (with a Protocol of its own). With ``lookup`` the
    kernel has a provider lookup and the definitions a ``providers`` mapping."""
    return {
        **(PROVIDER_KERNEL if lookup else {}),
        **module("contracts", core=True, files={"metrics.py": '''
            from typing import Protocol


            class MetricsProviderProtocol(Protocol):
                """Figures a module reports to the dashboards."""

                def get_metrics(self, db) -> dict: ...
        '''}),
        **module("catalog", core=False, files={"models.py": '''
            from app.core.database import Base


            class Product(Base):
                __tablename__ = "products"


            class ProductMedia(Base):
                __tablename__ = "product_media"
        '''}),
        **module("billing", core=True, files={
            "models.py": '''
                from app.core.database import Base


                class Subscription(Base):
                    __tablename__ = "subscriptions"


                def usage_left(subscription) -> int:
                    return subscription.product_limit
            ''',
            "usage.py": '''
                from sqlalchemy import func

                from app.modules.billing.models import Subscription, usage_left
                from app.modules.catalog.models import Product


                def store_usage(db, store_id: int) -> dict:
                    subscription = db.get(Subscription, store_id)
                    products = db.query(func.count(Product.id)).filter(
                        Product.store_id == store_id).scalar() or 0
                    return {"products": products, "limit": subscription.product_limit,
                            "plan": subscription.plan, "left": usage_left(subscription)}
            ''',
            "forecast.py": '''
                from sqlalchemy import func

                from app.modules.billing.models import Subscription, usage_left
                from app.modules.catalog.models import Product


                def platform_total(db) -> dict:
                    plans = db.query(Subscription).all()
                    total = db.query(func.count(Product.id)).scalar() or 0
                    return {"products": total, "plans": len(plans),
                            "left": [usage_left(plan) for plan in plans]}
            ''',
        }),
        **module("reports", core=True, files={"models.py": '''
            from app.core.database import Base


            class MediaReport(Base):
                __tablename__ = "media_reports"


            def report_title(report) -> str:
                return str(report.id)
        ''', "media.py": '''
            from app.modules.catalog.models import ProductMedia
            from app.modules.reports.models import MediaReport, report_title


            def media_usage_count(db, media_id: int) -> dict:
                report = db.get(MediaReport, media_id)
                links = db.query(ProductMedia).filter(ProductMedia.media_id == media_id)
                return {"title": report_title(report), "report": report.id,
                        "owner": report.owner, "products": [link.product_id for link in links]}
        '''}),
    }


PROJECTS = {
    "type-checking-only": type_checking_only,
    "relationship-other-side": relationship_other_side,
    "relationship-other-side-typed": lambda: relationship_other_side(typed=True),
    "use-provider": use_provider,
    "use-provider-no-aggregator": lambda: use_provider(aggregator=False),
    "move-function": move_function,
    "move-function-conflict": move_function_conflict,
    "guard-optional": guard_optional,
    "extract-protocol": extract_protocol,
    "extract-protocol-lookup": lambda: extract_protocol(lookup=True),
}


def build(tmp_path: Path, name: str) -> tuple[Path, ArchitectureConfig]:
    """Write the project ``name`` (a key of PROJECTS) below ``tmp_path``: its root and its
    configuration."""
    files = {**KERNEL, **PROJECTS[name]()}
    config = CONFIG + (PURE_CONTRACTS if "app/modules/contracts/__init__.py" in files else "")
    if "app/modules/providers.py" in files:
        config = config.replace("app.modules.base]",
                                "app.modules.base, app.modules.providers, app.modules.registry]")
    root = write_tree(tmp_path / name, {"archguard.yaml": config, **files})
    return root, load_config(root / "archguard.yaml")
