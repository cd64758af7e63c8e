"""Configurations that once ended in an internal error, a minutes-long run or a leak: bad
scalar tags, documents that are not mappings, nesting and aliases past any sane size, a
``pyproject.toml`` that points to itself, files that are not UTF-8, scopes that excuse
everything, and secrets in a file outside the project. Each is refused with the file, the
line and what is wrong, exit code 2."""

from __future__ import annotations

import time

import pytest

from .support import CONFIG, archguard, assert_refused, project

CONFIG_ERROR = 2
NO_CONFIG = {"archguard.yaml": None}


def _yaml(root, text: str) -> None:
    (root / "archguard.yaml").write_text(text)


def _check(root, *args: str):
    return archguard("check", "--no-cache", *args, cwd=root)


@pytest.mark.parametrize(("text", "line", "message"), [
    ("version: !!int abc\n" + CONFIG.split("\n", 1)[1], 1, "'abc' is not a valid !!int"),
    (CONFIG.replace("timeout: 20", "timeout: !!float xyz"), 12,
     "'xyz' is not a valid !!float"),
    (CONFIG.replace("timeout: 20", "timeout: !!bool maybe"), 12,
     "expected a number, got 'maybe'"),
])
def test_a_bad_scalar_tag_is_a_message_with_its_line(tmp_path, text, line, message):
    root = project(tmp_path)
    _yaml(root, text)
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", line)
    assert message in output


def test_a_python_object_tag_constructs_nothing_and_is_refused(tmp_path):
    root = project(tmp_path)
    marker = tmp_path / "constructed"
    _yaml(root, f"version: !!python/object/apply:os.system ['touch {marker}']\n"
          + CONFIG.split("\n", 1)[1])
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 1)
    assert "expected an integer" in output
    assert not marker.exists()


@pytest.mark.parametrize(("text", "message"), [
    ("- version\n- project\n", "expected a mapping of keys, got a list"),
    ("ghp_S3CRETTOKEN\n", "got a single value"),
])
def test_a_document_that_is_not_a_mapping_is_refused_without_quoting_it(tmp_path, text,
                                                                          message):
    root = project(tmp_path)
    _yaml(root, text)
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 1)
    assert message in output
    assert "S3CRET" not in output


def test_nesting_past_the_parsers_depth_is_refused(tmp_path):
    root = project(tmp_path)
    _yaml(root, "version: 1\nkernel: " + "[" * 5000 + "]" * 5000 + "\n")
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 2)
    assert "invalid YAML" in output
    assert "nesting depth" in output


def test_a_recursive_anchor_is_refused_with_its_line(tmp_path):
    root = project(tmp_path)
    _yaml(root, CONFIG + "x: &a [*a]\n")
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 15)
    assert "recursive" in output or "refers to itself" in output


def test_an_alias_bomb_is_refused_quickly_with_its_line(tmp_path):
    root = project(tmp_path)
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    _yaml(root, CONFIG.replace("definitions: {enabled: false}\n", "")
          + "\n".join(levels) + "\ndefinitions: {enabled: false, x: *a8}\n")
    start = time.perf_counter()
    done = _check(root)
    seconds = time.perf_counter() - start
    output = assert_refused(done, CONFIG_ERROR, "archguard.yaml")
    assert "aliases expand the document by more than 100,000 nodes" in output
    assert seconds < 20, f"took {seconds:.1f} s"


def test_a_long_kernel_list_with_a_duplicate_is_checked_in_linear_time(tmp_path):
    root = project(tmp_path)
    names = [f"app.k{n}" for n in range(60_000)] + ["app.k5"]
    _yaml(root, CONFIG.replace("kernel: [app.main]", "kernel:\n" + "".join(
        f"  - {name}\n" for name in names)))
    start = time.perf_counter()
    done = _check(root)
    seconds = time.perf_counter() - start
    output = assert_refused(done, CONFIG_ERROR, "archguard.yaml", 60_004)
    assert "kernel[60000]: 'app.k5' is listed twice" in output
    assert seconds < 20, f"took {seconds:.1f} s"


PYPROJECT_CASES = [
    ('[project]\nname = "x"\n\n[tool.archguard]\nconfig = "pyproject.toml"\n', 5,
     "'pyproject.toml' points back to pyproject.toml"),
    ("tool = 3\n", 1, "tool: must be a table"),
    ('[project]\nname = "x"\n[tool]\narchguard = "x"\n', 4, "tool.archguard: must be a table"),
    ('[tool.archguard]\nconfig = "nothere.yaml"\n', 2, "is not a file"),
    ('[tool.archguard]\nversion = = 1\n', 2, "invalid TOML"),
]


@pytest.mark.parametrize(("text", "line", "message"), PYPROJECT_CASES)
def test_a_bad_pyproject_is_a_message_with_its_line(tmp_path, text, line, message):
    root = project(tmp_path, **NO_CONFIG)
    (root / "pyproject.toml").write_text(text)
    output = assert_refused(_check(root), CONFIG_ERROR, "pyproject.toml", line)
    assert message in output


def test_pyproject_files_pointing_to_each_other_are_a_loop_not_a_hang(tmp_path):
    root = project(tmp_path, **NO_CONFIG)
    (root / "sub").mkdir()
    (root / "pyproject.toml").write_text('[tool.archguard]\nconfig = "sub/pyproject.toml"\n')
    (root / "sub" / "pyproject.toml").write_text('[tool.archguard]\nconfig = "../pyproject.toml"\n')
    output = assert_refused(_check(root), CONFIG_ERROR, "pyproject.toml", 2)
    assert "points back" in output


def test_a_pyproject_that_is_not_utf8_names_the_line(tmp_path):
    root = project(tmp_path, **NO_CONFIG)
    (root / "pyproject.toml").write_bytes('[tool.archguard]\n# caf\xe9\n'.encode("latin-1"))
    output = assert_refused(_check(root), CONFIG_ERROR, "pyproject.toml", 2)
    assert "not UTF-8" in output


def test_a_yaml_file_that_is_not_utf8_names_the_line(tmp_path):
    root = project(tmp_path)
    lines = CONFIG.splitlines(keepends=True)
    lines[6] = "  extras: {category: optional}  # caf\xe9\n"
    (root / "archguard.yaml").write_bytes("".join(lines).encode("latin-1"))
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 7)
    assert "not UTF-8" in output


IGNORE = "ignores:\n  - {{importer: {importer}, imported: app.modules.extras, reason: {reason}}}\n"


@pytest.mark.parametrize(("importer", "reason", "message"), [
    ("app.modules.shop", '""', "reason"),
    ("app.modules.shop", '"   "', "reason"),
    ("'app.**'", "legacy", "every module"),
    ("'**'", "legacy", "every module"),
])
def test_an_ignore_that_excuses_without_saying_why_or_everything_is_refused(
        tmp_path, importer, reason, message):
    root = project(tmp_path)
    _yaml(root, CONFIG + IGNORE.format(importer=importer, reason=reason))
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 16)
    assert message in output


def test_a_contract_forbidding_its_own_source_is_refused(tmp_path):
    root = project(tmp_path)
    _yaml(root, CONFIG.replace("forbidden: [optional]", "forbidden: [optional, core]"))
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 14)
    assert "'core' is both in source and in forbidden" in output


SECRET = "ghp_S3CRETTOKEN0123456789"


def test_a_configuration_outside_the_project_is_not_quoted_in_errors(tmp_path):
    root = project(tmp_path / "repo")
    outside = tmp_path / "secret.yaml"
    outside.write_text(f"version: {SECRET}\n")
    output = assert_refused(_check(root, "--config", str(outside)), CONFIG_ERROR,
                            "secret.yaml", 1)
    assert "version" in output
    assert SECRET not in output


def test_a_configuration_inside_the_project_is_quoted_to_help(tmp_path):
    root = project(tmp_path)
    _yaml(root, f"version: {SECRET}\n")
    output = assert_refused(_check(root), CONFIG_ERROR, "archguard.yaml", 1)
    assert SECRET in output


def test_an_unknown_key_outside_the_project_is_still_named_with_the_nearest_one(tmp_path):
    root = project(tmp_path / "repo")
    outside = tmp_path / "shared.yaml"
    outside.write_text(CONFIG.replace("modules_package:", "module_package:"))
    output = assert_refused(_check(root, "--config", str(outside)), CONFIG_ERROR,
                            "shared.yaml", 2)
    assert "project.module_package: unknown key" in output
    assert "did you mean 'modules_package'?" in output
