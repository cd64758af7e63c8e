"""relationship("Name") reaches the module of a mapped class by that name, never a plain one."""

from __future__ import annotations

from archguard.application.check import run_check
from archguard.config import load_config

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
kernel: [app.core]
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

# The optional module's models file holds mapped classes (one by __tablename__, one by
# inheriting it) next to plain ones: an enum and an abstract base, neither of them mapped.
EXTRAS_MODELS = """
import enum

from sqlalchemy import Column, Enum, ForeignKey, Integer
from sqlalchemy.orm import relationship

from app.core.db import Base


class Status(enum.Enum):
    WRAPPED = "wrapped"


class Wrapping(Base):
    __abstract__ = True


class Gift(Base):
    __tablename__ = "gifts"
    id = Column(Integer, primary_key=True)
    status = Column(Enum(Status))


class GiftCard(Gift):
    pass
"""

BASE = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/core/__init__.py": "",
    "app/core/db.py": "from sqlalchemy.orm import DeclarativeBase\n\n\n"
                      "class Base(DeclarativeBase):\n    pass\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/models.py": EXTRAS_MODELS,
}

SHOP_MODELS = "app/modules/shop/models.py"


def check(make_project, shop_models):
    project = make_project({**BASE, SHOP_MODELS: shop_models})
    return run_check(project, load_config(project / "archguard.yaml"), use_cache=False)


def reference_findings(result):
    return sorted((f.rule, f.line) for f in result.findings
                  if f.rule in ("ambiguous-reference", "unresolved-reference"))


def test_a_relationship_to_a_plain_class_is_no_dependency_on_its_module(make_project):
    """relationship() to a plain class of an optional module is no violation; to a mapped one is."""
    result = check(make_project, (
        "from sqlalchemy import Column, Integer\n"
        "from sqlalchemy.orm import relationship\n"
        "\n"
        "from app.core.db import Base\n"
        "\n"
        "\n"
        "class Order(Base):\n"
        "    __tablename__ = 'orders'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    gift = relationship('Gift')\n"
        "    card = relationship('GiftCard')\n"
        "    status = relationship('Status')\n"
        "    wrapping = relationship('Wrapping')\n"
    ))
    assert [(v.line, v.kind, v.imported, v.names, v.reference) for v in result.violations] == [
        (10, "string", "app.modules.extras.models", ("Gift",), "relationship('Gift')"),
        (11, "string", "app.modules.extras.models", ("GiftCard",), "relationship('GiftCard')"),
    ]
    # Neither plain class can be the target of a relationship: both fail when mapped.
    assert reference_findings(result) == [("unresolved-reference", 12),
                                          ("unresolved-reference", 13)]


def test_a_plain_class_of_the_same_name_does_not_make_a_relationship_ambiguous(make_project):
    """relationship('Status') names the core module's mapped Status, not the optional enum."""
    result = check(make_project, (
        "from sqlalchemy import Column, ForeignKey, Integer\n"
        "from sqlalchemy.orm import relationship\n"
        "\n"
        "from app.core.db import Base\n"
        "\n"
        "\n"
        "class Status(Base):\n"
        "    __tablename__ = 'order_statuses'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "\n"
        "\n"
        "class Order(Base):\n"
        "    __tablename__ = 'orders'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    status_id = Column(ForeignKey('order_statuses.id'))\n"
        "    status = relationship('Status')\n"
    ))
    assert result.violations == []
    assert reference_findings(result) == []
    assert result.references_checked == 2  # the ForeignKey and the relationship, both in shop
