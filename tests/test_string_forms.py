"""scan_strings on one file: each way a string names code elsewhere, what it records about
the reference (form, text, kind, where it sits, how it is shown), and what it leaves alone."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from archguard.adapters.string_references import (
    ScanRules,
    scan_strings,
    strings_from_json,
    strings_to_json,
)
from archguard.domain.architecture import LoaderRule
from archguard.errors import SourceSyntaxError

RULES = ScanRules("app")


def scan(source: str, rules: ScanRules = RULES, **options):
    data = textwrap.dedent(source).lstrip("\n").encode()
    return scan_strings(Path("m.py"), data, rules, **options)


def refs(source: str, rules: ScanRules = RULES, **options):
    return scan(source, rules, **options).references


def summary(source: str, rules: ScanRules = RULES, **options):
    """(line, call, form, text) of every reference."""
    return [(r.line, r.call, r.form, r.text) for r in refs(source, rules, **options)]


# -- modules loaded by name -----------------------------------------------------------------

def test_import_module_forms():
    found = refs("""
        import importlib
        import importlib.util
        from importlib import import_module
        importlib.import_module("app.modules.a")
        import_module(name="app.modules.b")
        importlib.util.find_spec("app.modules.c")
        __import__("app.modules.d")
    """)
    assert [(r.line, r.call, r.form, r.text, r.loads, r.package) for r in found] == [
        (4, "importlib.import_module", "module", "app.modules.a", True, None),
        (5, "import_module", "module", "app.modules.b", True, None),
        (6, "importlib.util.find_spec", "module", "app.modules.c", True, None),
        (7, "__import__", "module", "app.modules.d", True, None),
    ]
    assert {r.kind for r in found} == {"string"}


def test_the_package_of_a_relative_import_module():
    found = refs("""
        from importlib import import_module
        import_module(".a", "app.modules")
        import_module(".b", package="app.modules")
        import_module(".c", __package__)
        import_module(".d", package=__name__)
        import_module(".e", somewhere)
    """)
    assert [(r.text, r.package) for r in found] == [
        (".a", "app.modules"), (".b", "app.modules"), (".c", ""), (".d", ""), (".e", None)]


def test_only_calls_that_resolve_to_the_loaders_count():
    found = summary("""
        import_module("app.modules.a")
        loader.__import__("app.modules.b")
        mine.import_module("app.modules.c")
        pkgutil.resolve_name("app.modules.d:Thing")
        import pkgutil
        pkgutil.resolve_name("app.modules.e:Thing")
    """)
    assert found == [(6, "pkgutil.resolve_name", "object", "app.modules.e:Thing")]


def test_a_renamed_loader_is_followed():
    found = summary("""
        from importlib import import_module as load
        def f():
            return load("app.modules.a")
    """)
    assert found == [(3, "load", "module", "app.modules.a")]


@pytest.mark.parametrize(("argument", "text"), [
    ('f"app.modules.{name}.routes"', "app.modules."),
    ('"app.modules." + name', "app.modules."),
    ('"app.modules." + name + ".routes"', "app.modules."),
])
def test_a_literal_start_is_kept_as_a_prefix(argument, text):
    (found,) = refs(f"import importlib\nimportlib.import_module({argument})\n")
    assert (found.text, found.prefix) == (text, True)
    assert found.written == f"importlib.import_module({text + '…'!r})"


@pytest.mark.parametrize("argument", ['f"{name}.routes"', "name", "name + '.x'", "1"])
def test_no_literal_start_no_reference(argument):
    assert refs(f"import importlib\nimportlib.import_module({argument})\n") == ()


# -- configured loaders and settings --------------------------------------------------------

LOADERS = ScanRules("app", (
    LoaderRule("app.core.loading.get_class", "app_module"),
    LoaderRule("import_string", "object", argument=1, keyword="dotted_path"),
    LoaderRule("get_model", "app_label", submodule="models"),
), settings=True)


def test_configured_loaders_by_dotted_or_bare_name():
    found = refs("""
        from app.core import loading
        from app import settings
        loading.get_class("shop.views", "View")
        other.get_class("shop.views", "View")
        import_string(None, "app.modules.x.Y")
        import_string(dotted_path="app.modules.x.Z")
        helpers.import_string(None, settings.WRAPPER)
        get_model("shop")
    """, LOADERS)
    assert [(r.line, r.call, r.form, r.text, r.setting, r.submodule, r.loads)
            for r in found] == [
        (3, "loading.get_class", "app_module", "shop.views", None, None, True),
        (5, "import_string", "object", "app.modules.x.Y", None, None, True),
        (6, "import_string", "object", "app.modules.x.Z", None, None, True),
        (7, "helpers.import_string", "object", "", "WRAPPER", None, True),
        (8, "get_model", "app_label", "shop", None, "models", True),
    ]
    assert found[3].written == "helpers.import_string(settings.WRAPPER)"


def test_a_setting_counts_only_where_settings_are_configured_and_named_in_capitals():
    source = "import_string(None, settings.WRAPPER)\nimport_string(None, settings.lower)\n" \
             "import_string(None, WRAPPER)\n"
    assert [(r.line, r.setting) for r in refs(source, LOADERS)] == [
        (1, "WRAPPER"), (3, "WRAPPER")]
    without = ScanRules("app", LOADERS.loaders, settings=False)
    assert refs(source, without) == ()


def test_a_configured_loader_takes_precedence_over_the_built_in_forms():
    rules = ScanRules("app", (LoaderRule("importlib.import_module", "object"),))
    (found,) = refs("import importlib\nimportlib.import_module('app.modules.x:Y')\n", rules)
    assert (found.form, found.text) == ("object", "app.modules.x:Y")


def test_settings_constants_are_the_module_level_upper_case_strings():
    found = scan("""
        GIFT = "app.modules.extras.Gift"
        TIMEOUT: str = "30"
        DEBUG = True
        lower = "app.modules.x"
        A = B = "shared"
        def f():
            INNER = "no"
    """, settings=True)
    assert found.constants == (("GIFT", "app.modules.extras.Gift"), ("TIMEOUT", "30"),
                               ("A", "shared"), ("B", "shared"))
    assert scan('GIFT = "x"\n').constants == ()


# -- SQLAlchemy and Django ------------------------------------------------------------------

def test_relationship_targets_tables_and_join_expressions():
    found = refs("""
        from sqlalchemy.orm import relationship
        class Shop(Base):
            __tablename__ = "shops"
            owner = relationship("Owner", secondary="shop_owners", order_by="Owner.name")
            items = relationship(argument="Item", primaryjoin="Shop.id == Item.shop_id")
            tags = relationship(lambda: Tag, secondary="and_(Shop.id == Link.shop_id)")
            bad = relationship(lambda: Tag, remote_side="not python (")
            pages = dynamic_loader("Page")
    """)
    assert [(r.line, r.call, r.form, r.text, r.tentative) for r in found] == [
        (4, "relationship", "class", "Owner", False),
        (4, "relationship(secondary=…)", "table", "shop_owners", False),
        (4, "relationship(order_by=…)", "class", "Owner", True),
        (5, "relationship", "class", "Item", False),
        (5, "relationship(primaryjoin=…)", "class", "Shop", True),
        (5, "relationship(primaryjoin=…)", "class", "Item", True),
        (6, "relationship(secondary=…)", "class", "Shop", True),
        (6, "relationship(secondary=…)", "class", "Link", True),
        (8, "dynamic_loader", "class", "Page", False),
    ]
    assert {r.holder for r in found} == {"Shop"} and {r.loads for r in found} == {False}


@pytest.mark.parametrize("keyword", ["secondaryjoin", "foreign_keys", "remote_side"])
def test_every_join_keyword_names_classes(keyword):
    (found,) = refs(f"relationship(lambda: X, {keyword}='Gift.owner_id')\n")
    assert (found.call, found.text, found.tentative) == (
        f"relationship({keyword}=…)", "Gift", True)


def test_mapped_annotations_name_the_target_of_a_bare_relationship():
    found = refs("""
        class Job(Base):
            owner: Mapped["Owner"] = relationship(back_populates="jobs")
            items: Mapped[list[Item]] = relationship()
            fixed: Mapped["Other"] = relationship("Fixed")
    """)
    assert {(r.line, r.text) for r in found if r.tentative} >= {(2, "Owner")}
    assert not any(r.text == "Item" for r in found)      # unquoted, evaluated eagerly
    assert [(r.line, r.text) for r in found if not r.tentative] == [(4, "Fixed")]
    postponed = refs("from __future__ import annotations\n"
                     "class Job(Base):\n    items: Mapped[list[Item]] = relationship()\n")
    assert any(r.text == "Item" and r.tentative for r in postponed)


def test_foreign_keys_and_tables():
    found = scan("""
        owner_id = Column(ForeignKey("owners.id"))
        other_id = Column(ForeignKey(column="others.id"))
        plain = Column(ForeignKey("no_dot"))
        links = Table("links", metadata, Column("a", Integer))
        single = Table("lonely")
    """)
    assert [(r.line, r.form, r.text) for r in found.references] == [
        (1, "table_column", "owners.id"), (2, "table_column", "others.id")]
    assert found.tables == (("links", 4),)


def test_django_relations_name_an_app_and_a_model():
    found = refs("""
        from django.db import models
        from django.contrib import admin
        class Order(models.Model):
            item = models.ForeignKey("shop.Item", on_delete=models.CASCADE)
            owner = models.OneToOneField(to="people.Person")
            tags = models.ManyToManyField("tags.Tag")
            parent = models.ForeignKey("self")
            other = admin.ForeignKey("shop.Item")
    """)
    assert [(r.line, r.call, r.form, r.text, r.submodule) for r in found] == [
        (4, "models.ForeignKey", "app_label", "shop.Item", "models"),
        (5, "models.OneToOneField", "app_label", "people.Person", "models"),
        (6, "models.ManyToManyField", "app_label", "tags.Tag", "models"),
    ]


def test_classes_are_recorded_with_bases_tables_and_marks():
    found = scan("""
        class Shop(db.Model, Base):
            __tablename__ = "shops"
        class Card(Shop):
            __mapper_args__ = {"polymorphic_identity": "card"}
        class Raw(Base):
            __table__: Table = shops_table
        class Later(Base):
            @declared_attr
            def __tablename__(cls):
                return "later"
        class Plain:
            class Inner(Plain):
                pass
    """)
    assert [(c.name, c.line, c.bases, c.table, c.marked) for c in found.classes] == [
        ("Shop", 1, ("Model", "Base"), "shops", True),
        ("Card", 3, ("Shop",), None, True),
        ("Raw", 5, ("Base",), None, True),
        ("Later", 7, ("Base",), None, True),
        ("Plain", 11, (), None, False),
        ("Plain.Inner", 12, ("Plain",), None, False),
    ]
    assert found.tables == (("shops", 1),)


# -- where a reference sits -----------------------------------------------------------------

def test_kind_function_and_holder_follow_the_position():
    found = refs("""
        import importlib
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            importlib.import_module("app.modules.a")
        try:
            importlib.import_module("app.modules.b")
        except ModuleNotFoundError:
            importlib.import_module("app.modules.c")
        class Shop(Base):
            owner = relationship("Owner")
            def load(self):
                try:
                    return importlib.import_module("app.modules.d")
                except (KeyError, ImportError):
                    return None
            class Meta:
                target = relationship("Inner")
        handler = lambda: importlib.import_module("app.modules.e")
        def outer():
            class Local(Base):
                x = relationship("L")
    """)
    assert [(r.text, r.kind, r.function, r.holder) for r in found] == [
        ("app.modules.a", "type_checking", None, None),
        ("app.modules.b", "guarded", None, None),
        ("app.modules.c", "string", None, None),
        ("Owner", "string", None, "Shop"),
        ("app.modules.d", "guarded", "Shop.load", None),
        ("Inner", "string", None, "Shop.Meta"),
        ("app.modules.e", "string", "<lambda>", None),
        ("L", "string", "outer", None),
    ]


def test_references_in_headers_decorators_and_defaults_are_found():
    found = refs("""
        import importlib
        @register(importlib.import_module("app.modules.a"))
        def f(x=importlib.import_module("app.modules.b")):
            pass
        if importlib.import_module("app.modules.c"):
            pass
        while importlib.util.find_spec("app.modules.d"):
            break
        with importlib.import_module("app.modules.e") as m:
            pass
        for m in importlib.import_module("app.modules.f").items:
            pass
        match importlib.import_module("app.modules.g"):
            case _ if importlib.import_module("app.modules.h"):
                pass
        class C(importlib.import_module("app.modules.i").Base):
            pass
    """)
    assert [(r.line, r.text) for r in found] == [
        (2, "app.modules.a"), (3, "app.modules.b"), (5, "app.modules.c"),
        (7, "app.modules.d"), (9, "app.modules.e"), (11, "app.modules.f"), (13, "app.modules.g"),
        (14, "app.modules.h"), (16, "app.modules.i")]
    # The header of a compound statement is shown as the call alone.
    assert found[2].statement == "importlib.import_module('app.modules.c')"


def test_position_and_shown_statement():
    long_name = "x" * 150
    found = refs(f"""
        import importlib
        value = importlib.import_module("app.modules.a")
        {long_name} = importlib.import_module("app.modules.b")
        many = [
            importlib.import_module("app.modules.c"),
        ]
    """)
    assert [(r.line, r.column, r.end_line) for r in found] == [(2, 9, 2), (3, 154, 3),
                                                               (5, 5, 5)]
    assert [r.statement for r in found] == [
        "value = importlib.import_module('app.modules.a')",
        "importlib.import_module('app.modules.b')",  # too long to show whole
        "many = [importlib.import_module('app.modules.c')]",
    ]


def test_an_inline_ignore_anywhere_on_the_statement():
    found = refs("""
        import importlib
        value = importlib.import_module(  # archguard: ignore[kernel] plugin
            "app.modules.a",
        )
        importlib.import_module("app.modules.b")  # archguard: ignore
        importlib.import_module("app.modules.c")
    """)
    assert [(r.text, r.ignore, r.ignore_reason) for r in found] == [
        ("app.modules.a", ("kernel",), "plugin"), ("app.modules.b", (), ""),
        ("app.modules.c", None, "")]


def test_docstrings_and_files_naming_nothing_give_nothing():
    found = scan('"""importlib.import_module("app.modules.a")"""\nclass A:\n    pass\n')
    assert found.references == () and [c.name for c in found.classes] == ["A"]
    assert scan("x = 1\n") == scan("")


# -- definition files -----------------------------------------------------------------------

def test_dotted_project_paths_in_a_definition_file():
    source = """
        '''app.modules.doc.string'''
        shop_module = ModuleDefinition(
            code="shop",
            provider="app.modules.x.p:Provider",
            routes=["app.modules.x.routes", "other.thing"],
        )
    """
    found = refs(source, definition=True)
    assert [(r.line, r.call, r.form, r.text) for r in found] == [
        (4, "provider=", "object", "app.modules.x.p:Provider"),
        (5, "definition", "object", "app.modules.x.routes"),
    ]
    assert refs(source) == ()


# -- the scan cache's form ------------------------------------------------------------------

def test_a_scan_survives_its_json_form():
    found = scan("""
        import importlib
        GIFT = "app.modules.extras.Gift"
        class Shop(Base):
            __tablename__ = "shops"
            owner = relationship("Owner", secondary="links")
            def load(self):
                return importlib.import_module("app.modules.a")  # archguard: ignore[x] why
        links = Table("links", metadata)
    """, settings=True)
    assert found.references and found.classes and found.tables and found.constants
    assert strings_from_json(strings_to_json(found)) == found
    assert strings_to_json(scan("x = 1\n")) == {}
    assert strings_from_json({}) == scan("x = 1\n")


def test_a_file_that_does_not_parse_is_an_error_with_its_line():
    with pytest.raises(SourceSyntaxError) as caught:
        scan("import importlib\ndef f(:\n")
    assert caught.value.line == 2
