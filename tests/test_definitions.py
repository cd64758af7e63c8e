"""Reading definition.py statically: categories, requires, and what cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.adapters.definitions import read_definition
from archguard.domain.architecture import DefinitionReading
from archguard.errors import SourceSyntaxError

READING = DefinitionReading()


def definition(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "definition.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_reads_flags_requires_and_code(tmp_path):
    path = definition(tmp_path, (
        "from app.modules.base import ModuleDefinition\n"
        "\n"
        "def get_module_with_routers():\n"
        "    return checkout_module\n"
        "\n"
        "checkout_module = ModuleDefinition(\n"
        "    code='checkout',\n"
        "    name='Checkout',\n"
        "    is_core=False,\n"
        "    requires=['cart', 'orders', 'customers'],\n"
        ")\n"
    ))
    facts = read_definition(path, "checkout", READING)
    assert facts.variable == "checkout_module"
    assert facts.line == 6
    assert facts.code == "checkout"
    assert facts.requires == ("cart", "orders", "customers")
    assert facts.requires_line == 10
    assert facts.category(READING) == "optional"
    assert facts.functions == ("get_module_with_routers",)
    assert facts.problems == ()


@pytest.mark.parametrize(
    ("flags", "category"),
    [("is_core=True", "core"), ("is_internal=True", "internal"),
     ("is_core=False, is_internal=False", "optional"), ("", "optional"),
     ("is_core=True, is_internal=True", "core")],
)
def test_category_follows_flag_order(tmp_path, flags, category):
    path = definition(tmp_path, f"billing_module = ModuleDefinition(code='billing', {flags})\n")
    assert read_definition(path, "billing", READING).category(READING) == category


def test_annotated_and_attribute_call_forms(tmp_path):
    path = definition(tmp_path, (
        "import app.modules.base as base\n"
        "cms_module: base.ModuleDefinition = base.ModuleDefinition(code='cms', is_core=True)\n"
    ))
    facts = read_definition(path, "cms", READING)
    assert facts.category(READING) == "core"
    assert facts.requires == ()


def test_wrong_variable_name_is_a_problem_but_still_read(tmp_path):
    path = definition(tmp_path, "module = ModuleDefinition(code='cart', requires=['inventory'])\n")
    facts = read_definition(path, "cart", READING)
    assert facts.requires == ("inventory",)
    assert facts.problems == ("definition variable is `module`, expected `cart_module`",)


def test_non_literal_values_are_reported_not_guessed(tmp_path):
    path = definition(tmp_path, (
        "DEPS = ['inventory']\n"
        "cart_module = ModuleDefinition(code='cart', is_core=FLAG, requires=DEPS)\n"
    ))
    facts = read_definition(path, "cart", READING)
    assert facts.requires is None
    assert "line 2: requires is not a list of strings" in facts.problems
    assert "line 2: is_core is not True or False" in facts.problems


def test_no_definition_found(tmp_path):
    facts = read_definition(definition(tmp_path, "x = 1\n"), "cart", READING)
    assert facts.variable is None
    assert facts.category(READING) is None
    assert facts.problems == ("no `cart_module = ModuleDefinition(...)` found",)


def test_syntax_error_keeps_file_and_line(tmp_path):
    path = definition(tmp_path, "cart_module = ModuleDefinition(\n    code='cart',\n    is_core=\n")
    with pytest.raises(SourceSyntaxError) as caught:
        read_definition(path, "cart", READING)
    assert caught.value.path == path
    assert caught.value.line is not None
    assert str(path) in str(caught.value)


def test_definition_is_never_executed(tmp_path):
    marker = tmp_path / "executed"
    path = definition(tmp_path, (
        f"open({str(marker)!r}, 'w').write('ran')\n"
        "cart_module = ModuleDefinition(code='cart')\n"
    ))
    read_definition(path, "cart", READING)
    assert not marker.exists()
