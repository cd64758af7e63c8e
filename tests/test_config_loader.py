"""The configuration loader: valid files load, invalid ones say where and what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.config import find_config, load_config
from archguard.config.format import CONFIG_SCHEMA, CONTRACT_VARIANTS, json_schema
from archguard.contracts import CONTRACT_KINDS
from archguard.errors import ConfigError, ConfigNotFoundError

from .conftest import REPO, RULES

MINIMAL = """
version: 1
project:
  root_package: app
  modules_package: app.modules
categories:
  core: {}
  optional: {}
modules:
  orders: {category: optional}
  customers: {category: core}
"""


def write(tmp_path: Path, text: str, name: str = "archguard.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return caught.value


def test_platform_rules_load_with_every_contract_kind():
    config = load_config(RULES)
    assert config.root_package == "app"
    assert config.modules_package == "app.modules"
    assert set(config.categories) == {"core", "optional", "internal"}
    assert len(config.modules) == 18
    assert config.modules["billing"].category == "core"
    assert config.modules["billing"].requires is None  # read from definition.py
    assert config.modules["dev_tools"].code == "dev-tools"
    assert config.counted_kinds == ("module", "lazy", "string")
    kinds = {c.type for c in config.contracts}
    assert kinds == set(CONTRACT_KINDS)
    assert config.definitions.read == ("category", "requires")
    assert "app.main" in config.runtime.entry_points


def test_minimal_config_gets_documented_defaults(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.counted_kinds == ("module", "lazy", "string")
    assert config.definitions.file == "definition.py"
    assert config.definitions.variable_for("orders") == "orders_module"
    assert config.contracts == ()
    assert config.modules["orders"].line == 9


def test_unknown_key_names_file_line_column_and_suggests(tmp_path):
    error = error_for(tmp_path, MINIMAL + "contracts:\n  - id: a\n    type: forbidden\n"
                                          "    source: [orders]\n    forbiden: [customers]\n")
    assert error.position.path.name == "archguard.yaml"
    assert (error.position.line, error.position.column) == (15, 5)
    assert error.key == "contracts[0].forbiden"
    assert error.suggestion == "forbidden"
    assert "archguard.yaml:15:5" in str(error)
    assert "did you mean 'forbidden'" in str(error)


def test_top_level_typo_suggests_nearest_key(tmp_path):
    error = error_for(tmp_path, MINIMAL + "contract: []\n")
    assert error.suggestion == "contracts"
    assert error.position.line == 11


def test_wrong_type_is_reported_at_the_value(tmp_path):
    error = error_for(tmp_path, MINIMAL.replace("modules_package: app.modules",
                                                "modules_package: [app, modules]"))
    assert error.key == "project.modules_package"
    assert error.position.line == 4
    assert "expected a string" in error.message


def test_bad_choice_suggests_nearest(tmp_path):
    error = error_for(tmp_path, MINIMAL + "policy:\n  count: [module, lazzy]\n")
    assert error.key == "policy.count[1]"
    assert error.suggestion == "lazy"
    assert error.position.line == 12


def test_unknown_category_reference(tmp_path):
    error = error_for(tmp_path, MINIMAL.replace("orders: {category: optional}",
                                                "orders: {category: optionl}"))
    assert error.key == "modules.orders.category"
    assert error.suggestion == "optional"


def test_unknown_module_in_contract_is_an_error(tmp_path):
    error = error_for(tmp_path, MINIMAL + "contracts:\n  - id: a\n    type: independence\n"
                                          "    modules: [orders, custmers]\n")
    assert error.key == "contracts[0].modules[1]"
    assert error.suggestion == "customers"
    assert error.position.line == 14


def test_contract_type_is_checked_with_suggestion(tmp_path):
    error = error_for(tmp_path, MINIMAL + "contracts:\n  - id: a\n    type: independance\n")
    assert error.key == "contracts[0].type"
    assert error.suggestion == "independence"


def test_duplicate_contract_ids(tmp_path):
    body = "  - {id: a, type: independence, modules: [orders, customers]}\n"
    error = error_for(tmp_path, MINIMAL + "contracts:\n" + body + body)
    assert "already used" in error.message
    assert error.position.line == 13


def test_duplicate_yaml_keys_are_refused(tmp_path):
    error = error_for(tmp_path, MINIMAL + "kernel: [app.main]\nkernel: [app.api]\n")
    assert "duplicate key" in error.message
    assert "first given on line 11" in error.message
    assert error.position.line == 12


def test_ignores_require_a_reason(tmp_path):
    error = error_for(tmp_path, MINIMAL + "ignores:\n  - importer: app.a\n    imported: app.b\n")
    assert "missing required key 'reason'" in error.message
    assert error.position.line == 12


def test_missing_required_section(tmp_path):
    error = error_for(tmp_path, "version: 1\ncategories: {core: {}}\n")
    assert "missing required key 'project'" in error.message


def test_invalid_yaml_has_position(tmp_path):
    error = error_for(tmp_path, "version: 1\nproject: [unclosed\n")
    assert "invalid YAML" in error.message
    assert error.position.line is not None


def test_yaml_is_loaded_safely(tmp_path):
    error = error_for(tmp_path, "version: !!python/object/apply:os.system ['true']\n")
    assert error.position.line == 1


def test_unsupported_version(tmp_path):
    error = error_for(tmp_path, MINIMAL.replace("version: 1", "version: 7"))
    assert "unsupported version 7" in error.message


def test_find_config_prefers_explicit_then_yaml_then_pyproject(tmp_path):
    with pytest.raises(ConfigNotFoundError):
        find_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.archguard]\nconfig = 'arch.yaml'\n")
    assert find_config(tmp_path).name == "pyproject.toml"
    yaml_file = write(tmp_path, MINIMAL)
    assert find_config(tmp_path) == yaml_file
    other = write(tmp_path, MINIMAL, "other.yaml")
    assert find_config(tmp_path, other) == other


def test_pyproject_can_point_at_a_yaml_file(tmp_path):
    write(tmp_path, MINIMAL, "arch.yaml")
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[project]\nname = 'x'\n\n[tool.archguard]\nconfig = 'arch.yaml'\n")
    assert load_config(pyproject).modules["orders"].category == "optional"


def test_pyproject_inline_table_is_validated_with_its_line(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        "[project]\nname = 'x'\n\n[tool.archguard]\nversion = 1\n"
        "[tool.archguard.project]\nroot_package = 'app'\nmodules_pakage = 'app.modules'\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(pyproject)
    assert caught.value.suggestion == "modules_package"
    assert caught.value.position.line == 4


def test_every_contract_type_has_a_schema():
    assert tuple(CONTRACT_VARIANTS) == tuple(CONTRACT_KINDS)


def test_committed_json_schema_is_current():
    committed = json.loads((REPO / "docs" / "archguard.schema.json").read_text())
    assert committed == json_schema()


@pytest.mark.parametrize("name", ["archguard", "check-output", "simulate-output"])
def test_schema_ids_name_no_web_address(name):
    # An id is a name, not a page: archguard publishes no site its schemas could live on.
    committed = json.loads((REPO / "docs" / f"{name}.schema.json").read_text())
    assert committed["$id"] == f"urn:archguard:schema:{name.replace('archguard', 'config')}:1"


def test_json_schema_command_prints_the_schema():
    result = subprocess.run([sys.executable, "-m", "archguard", "schema"],
                            capture_output=True, text=True, check=True)
    schema = json.loads(result.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["required"]) == {"version", "project", "categories"}
    assert "contracts" in schema["properties"]


KEYS = list(CONFIG_SCHEMA.fields)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(KEYS), st.integers(0, 10), st.sampled_from("xq_z"))
def test_any_single_typo_in_a_top_level_key_is_caught_and_located(tmp_path_factory, key,
                                                                  index, char):
    typo = key[: index % len(key)] + char + key[index % len(key) + 1:]
    if typo in KEYS:
        return
    tmp = tmp_path_factory.mktemp("typo")
    text = textwrap.dedent(MINIMAL).lstrip("\n") + f"{typo}: null\n"
    path = tmp / "archguard.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.position.line == text.count("\n")
    assert caught.value.key == typo
