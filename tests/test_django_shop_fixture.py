"""``fixtures/django_shop``: apps that depend on each other through strings only.

The shop's apps reach each other with ``get_class``, ``get_model`` and ``import_string``
(``shop/core/loading.py``) and with dotted paths in ``shop/settings.py``. These tests keep
the fixture honest, without archguard:

1. the string references resolve at run time to the classes the golden file names;
2. lint-imports keeps every contract, because no import statement breaks one;
3. ``expected_references.yaml`` lists exactly the cross-app loader calls, found here by
   reading the source with ``ast``.

Every subprocess runs with ``PYTHONDONTWRITEBYTECODE=1`` and ``lint-imports --no-cache``,
and each is checked to leave the fixture's files as they were.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES

SHOP = FIXTURES / "django_shop"
GOLDEN = SHOP / "expected_references.yaml"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
LOADERS = ("get_class", "get_model", "import_string")
LOADING_MODULE = "shop.core.loading"
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_COLOR": "1", "COLUMNS": "200"}
ENV.pop("PYTHONPATH", None)


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def golden() -> list[dict]:
    return load_yaml(GOLDEN)["references"]


def files_in_fixture() -> list[str]:
    return sorted(str(path.relative_to(SHOP)) for path in SHOP.rglob("*"))


def run_in_fixture(command: list[str]) -> subprocess.CompletedProcess:
    """Run ``command`` with the fixture as working directory; it must write nothing there."""
    before = files_in_fixture()
    result = subprocess.run(command, cwd=SHOP, env=ENV, capture_output=True, text=True,
                            timeout=300)
    assert files_in_fixture() == before, "the subprocess wrote into fixtures/django_shop"
    return result


# --- 1. the references resolve at run time -------------------------------------------------

# Replaces the three loaders with wrappers that record where each call is made and what it
# returns, before any app is imported (the apps bind the loaders at import time), then takes
# a customer through the shop: every function that calls a loader runs.
SCENARIO = r'''
import json, os, sys
from decimal import Decimal

import shop.core.loading as loading

calls = []

def recording(loader):
    def wrapper(*args, **kwargs):
        caller = sys._getframe(1)
        result = loader(*args, **kwargs)
        calls.append({
            "file": os.path.relpath(caller.f_code.co_filename).replace(os.sep, "/"),
            "line": caller.f_lineno,
            "call": loader.__name__,
            "module": result.__module__,
            "name": result.__qualname__,
        })
        return result
    return wrapper

for name in ("get_class", "get_model", "import_string"):
    setattr(loading, name, recording(getattr(loading, name)))

from shop.core.money import Price
from shop.core.views import Request
from shop.apps.catalogue.models import Category, StockRecord
from shop.apps.catalogue.utils import create_product
from shop.apps.catalogue.views import ProductDetailView
from shop.apps.customer.services import register
from shop.apps.customer.views import AccountSummaryView
from shop.apps.basket.views import BasketAddView, BasketView
from shop.apps.basket.utils import get_applicator
from shop.apps.checkout.services import OrderPlacement
from shop.apps.checkout.views import CheckoutView, PaymentDetailsView
from shop.apps.offer.applicator import Applicator
from shop.apps.offer.models import Benefit, Condition, ConditionalOffer
from shop.apps.offer.utils import products_in_range
from shop.apps.order.models import Order
from shop.apps.order.services import EventHandler
from shop.apps.payment.gateways import StripeGateway
from shop.apps.wishlists.services import add_product
from shop.apps.wishlists.views import WishListMoveProductToBasketView

books = Category.objects.add(Category("Books", "books"))
novels = Category.objects.add(Category("Novels", "novels", parent=books))
dune = create_product("Dune", "9780441013593", novels,
                      stockrecord=StockRecord("DUNE-PB", Price.with_tax("12.50"), 10))
kettle = create_product("Kettle", "5012345678900",
                        stockrecord=StockRecord("KET-1", Price.with_tax("30.00"), 3))
ConditionalOffer.objects.add(ConditionalOffer(
    "10% off two books", Condition(books, min_quantity=2),
    Benefit(Benefit.PERCENTAGE, Decimal("10"))))
ann = register("ann@example.com", "Ann")

outcome = {}
empty = CheckoutView().dispatch(Request(user=None))
outcome["empty_checkout_shows"] = empty.template
BasketAddView().dispatch(Request("POST", ann, POST={"quantity": 2}), product_id=dune.id)
detail = ProductDetailView().dispatch(Request(user=ann), product_id=dune.id).context
outcome["in_basket"] = detail["in_basket"]
outcome["offers"] = [offer.name for offer in detail["offers"]]
outcome["books_in_range"] = [p.title for p in products_in_range(Condition(books))]
outcome["basket_total"] = str(BasketView().dispatch(Request(user=ann)).context["total"].incl_tax)
outcome["applicator_is_offer_applicator"] = type(get_applicator()) is Applicator
outcome["gateway_is_stripe"] = type(OrderPlacement().get_payment_gateway()) is StripeGateway

wishlist = add_product(ann, kettle)
moved = WishListMoveProductToBasketView().dispatch(Request("POST", ann), key=wishlist.key,
                                                    product_id=kettle.id)
outcome["moved_to_basket"] = moved.location == "/basket/" and not wishlist.lines

address = {"name": "Ann Example", "line1": "1 High Street", "city": "Leeds",
           "postcode": "LS1 1AA", "country": "GB"}
checkout = Request("POST", ann, POST=address)
CheckoutView().dispatch(checkout)
placed = PaymentDetailsView().dispatch(checkout)
order = Order.objects.get(user=ann)
outcome["placed"] = placed.location
outcome["paid"] = str(order.total_paid())
summary = AccountSummaryView().dispatch(Request(user=ann)).context
outcome["account_orders"] = [o.number for o in summary["orders"]]
outcome["account_wishlists"] = [w.key == wishlist.key for w in summary["wishlists"]]
EventHandler().cancel(order)
outcome["after_cancel"] = [order.status, str(order.total_paid())]

print(json.dumps({"calls": calls, "outcome": outcome}))
'''


@pytest.fixture(scope="module")
def scenario() -> dict:
    result = run_in_fixture([sys.executable, "-c", SCENARIO])
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_shop_works_through_its_string_references(scenario):
    assert scenario["outcome"] == {
        "empty_checkout_shows": "basket/basket.html",
        "in_basket": 2,
        "offers": ["10% off two books"],
        "books_in_range": ["Dune"],
        "basket_total": "27.00",
        "applicator_is_offer_applicator": True,
        "gateway_is_stripe": True,
        "moved_to_basket": True,
        "placed": "/checkout/thank-you/100002/",
        "paid": "63.00",
        "account_orders": ["100002"],
        "account_wishlists": [True],
        "after_cancel": ["Cancelled", "0.00"],
    }


def test_each_listed_reference_returns_the_listed_class_at_run_time(scenario):
    returned = {(c["file"], c["line"]): (c["call"], c["module"], c["name"])
                for c in scenario["calls"]}
    for ref in golden():
        where = (ref["file"], ref["line"])
        assert where in returned, f"{where} did not run"
        assert returned[where] == (ref["call"], ref["target_module"], ref["name"]), where


def test_every_cross_app_call_made_at_run_time_is_listed(scenario):
    listed = {(ref["file"], ref["line"]) for ref in golden()}
    for call in scenario["calls"]:
        source = call["file"].split("/")[2]
        target = call["module"].split(".")[2]
        assert (source != target) == ((call["file"], call["line"]) in listed), call


# --- 2. lint-imports sees nothing ----------------------------------------------------------

def importlinter_contracts() -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser()
    parser.read(SHOP / ".importlinter", encoding="utf-8")
    prefix = "importlinter:contract:"
    return {section[len(prefix):]: dict(parser[section])
            for section in parser.sections() if section.startswith(prefix)}


def test_lint_imports_keeps_every_contract():
    contracts = importlinter_contracts()
    assert len(contracts) == 3
    result = run_in_fixture([str(LINT_IMPORTS), "--no-cache"])
    assert result.returncode == 0, result.stdout + result.stderr
    for contract in contracts.values():
        assert f"{contract['name']} KEPT" in result.stdout
    assert "BROKEN" not in result.stdout
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_the_importlinter_contracts_are_archguard_yaml_contracts():
    config = load_yaml(SHOP / "archguard.yaml")
    category = {app: spec["category"] for app, spec in config["modules"].items()}

    def packages(value: str) -> set[str]:
        return set(value.split())

    def apps(names) -> set[str]:
        return {f"shop.apps.{name}" for name in names}

    def of_categories(categories) -> set[str]:
        return apps(app for app, c in category.items() if c in categories)

    expected = {}
    for contract in config["contracts"]:
        if contract["type"] == "category_layering":
            expected[contract["id"]] = ("forbidden", of_categories(contract["source"]),
                                        of_categories(contract["forbidden"]))
        elif contract["type"] == "forbidden":
            expected[contract["id"]] = ("forbidden", apps(contract["source"]),
                                        apps(contract["forbidden"]))
        else:
            assert contract["type"] == "independence"
            expected[contract["id"]] = ("independence", apps(contract["modules"]))
    found = {}
    for contract_id, c in importlinter_contracts().items():
        if c["type"] == "forbidden":
            found[contract_id] = ("forbidden", packages(c["source_modules"]),
                                  packages(c["forbidden_modules"]))
        else:
            found[contract_id] = (c["type"], packages(c["modules"]))
    assert found == expected
    names = {c["id"]: c["name"] for c in config["contracts"]}
    assert {i: c["name"] for i, c in importlinter_contracts().items()} == names


# --- 3. expected_references.yaml against the source, read with ast -------------------------

def settings_values() -> dict[str, object]:
    tree = ast.parse((SHOP / "shop" / "settings.py").read_text(encoding="utf-8"))
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}


SETTINGS = settings_values()
APPS = {package.rpartition(".")[2]: package for package in SETTINGS["INSTALLED_APPS"]}


class LoaderCalls(ast.NodeVisitor):
    """Calls of the loaders by name, each with its holder: ``Class.method``, ``function``
    (nested: ``outer.inner``), or ``<module>`` outside any function (class bodies too)."""

    def __init__(self):
        self.scopes: list[tuple[str, bool]] = []
        self.calls: list[tuple[ast.Call, str]] = []
        self.attribute_uses: list[int] = []

    def holder(self) -> str:
        if not any(is_function for _, is_function in self.scopes):
            return "<module>"
        return ".".join(name for name, _ in self.scopes)

    def _enter(self, node, is_function: bool, outer: list) -> None:
        for child in outer:
            self.visit(child)
        self.scopes.append((node.name, is_function))
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    def visit_FunctionDef(self, node):
        self._enter(node, True, [*node.decorator_list, node.args,
                                 *([node.returns] if node.returns else [])])

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._enter(node, False, [*node.decorator_list, *node.bases, *node.keywords])

    def visit_Lambda(self, node):
        self.visit(node.args)
        self.scopes.append(("<lambda>", True))
        self.visit(node.body)
        self.scopes.pop()

    def visit_Attribute(self, node):
        if node.attr in LOADERS:
            self.attribute_uses.append(node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id in LOADERS:
            self.calls.append((node, self.holder()))
        self.generic_visit(node)


def literal(node: ast.expr) -> str:
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), ast.dump(node)
    return node.value


def imports_of(tree: ast.Module) -> dict[str, str]:
    """Names bound by ``from X import Y`` in the module: name -> X."""
    return {alias.asname or alias.name: node.module for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) for alias in node.names}


def first_argument(call: ast.Call, imported: dict[str, str]) -> tuple[str, str]:
    """The string argument 0 (or ``dotted_path=``) stands for, and the reference as written."""
    node = call.args[0] if call.args else None
    if node is None and call.func.id == "import_string":
        node = next(k.value for k in call.keywords if k.arg == "dotted_path")
    assert node is not None, ast.dump(call)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        assert node.value.id == "settings" and imported.get("settings") == "shop", ast.dump(node)
        value = SETTINGS[node.attr]
        return value, f"settings.{node.attr} -> {value}"
    value = literal(node)
    return value, value


def resolve(call: ast.Call, value: str) -> tuple[str, str]:
    """The module the string reaches and the attribute taken from it."""
    loader = call.func.id
    if loader == "get_class":
        label, _, submodule = value.partition(".")
        module = f"{APPS[label]}.{submodule}" if submodule else APPS[label]
        return module, literal(call.args[1])
    if loader == "get_model":
        if len(call.args) == 2:
            label, model = value, literal(call.args[1])
        else:
            label, model = value.split(".")
        return f"{APPS[label]}.models", model
    module, _, name = value.partition(":") if ":" in value else value.rpartition(".")
    return module, name


def app_of_module(module: str) -> str:
    return next(label for label, package in APPS.items()
                if module == package or module.startswith(package + "."))


def defines(module: str, name: str) -> bool:
    path = SHOP.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
            return True
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return True
    return False


def broken_contracts(source: str, target: str) -> list[str]:
    config = load_yaml(SHOP / "archguard.yaml")
    category = {app: spec["category"] for app, spec in config["modules"].items()}
    broken = []
    for contract in config["contracts"]:
        if contract["type"] == "category_layering":
            breaks = (category[source] in contract["source"]
                      and category[target] in contract["forbidden"])
        elif contract["type"] == "forbidden":
            breaks = source in contract["source"] and target in contract["forbidden"]
        else:
            assert contract["type"] == "independence", contract
            breaks = source in contract["modules"] and target in contract["modules"]
        if breaks:
            broken.append(contract["id"])
    return broken


def read_references() -> tuple[list[dict], list[tuple[str, int]]]:
    """The cross-app references, as the golden file writes them, and the same-app calls."""
    cross, same_app = [], []
    for path in sorted((SHOP / "shop" / "apps").rglob("*.py")):
        relative = path.relative_to(SHOP).as_posix()
        source = relative.split("/")[2]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        visitor = LoaderCalls()
        visitor.visit(tree)
        assert not visitor.attribute_uses, f"{relative}: a loader called as an attribute"
        imported = imports_of(tree)
        for call, holder in visitor.calls:
            assert imported.get(call.func.id) == LOADING_MODULE, (relative, call.lineno)
            value, reference = first_argument(call, imported)
            module, name = resolve(call, value)
            assert defines(module, name), (relative, call.lineno, module, name)
            target = app_of_module(module)
            if target == source:
                same_app.append((relative, call.lineno))
                continue
            cross.append({
                "file": relative, "line": call.lineno, "call": call.func.id,
                "reference": reference, "name": name, "source": source, "target": target,
                "target_module": module, "function": holder,
                "breaks": broken_contracts(source, target),
            })
    return cross, same_app


def test_golden_file_lists_exactly_the_cross_app_references():
    cross, _ = read_references()
    assert cross == sorted(golden(), key=lambda ref: (ref["file"], ref["line"]))


def test_same_app_references_are_left_out():
    _, same_app = read_references()
    assert same_app == [("shop/apps/order/services.py", 5), ("shop/apps/order/services.py", 6),
                        ("shop/apps/wishlists/views.py", 5)]


def form(ref: dict) -> str:
    if ref["reference"].startswith("settings."):
        return "import_string(settings.NAME)"
    if ref["call"] == "get_model":
        return "get_model('app.Model')" if "." in ref["reference"] else "get_model('app', 'Model')"
    return ref["call"]


def test_core_not_optional_is_broken_by_references_of_every_form():
    refs = golden()
    breaking = [ref for ref in refs if "core-not-optional" in ref["breaks"]]
    assert 4 <= len(breaking) <= 8
    assert {form(ref) for ref in breaking} == {
        "get_class", "get_model('app.Model')", "get_model('app', 'Model')", "import_string",
        "import_string(settings.NAME)"}


def test_allowed_references_sit_beside_the_breaking_ones():
    config = load_yaml(SHOP / "archguard.yaml")
    category = {app: spec["category"] for app, spec in config["modules"].items()}
    allowed = {(category[ref["source"]], category[ref["target"]])
               for ref in golden() if not ref["breaks"]}
    assert allowed == {("core", "core"), ("optional", "core")}
    assert "<module>" in {ref["function"] for ref in golden()}
