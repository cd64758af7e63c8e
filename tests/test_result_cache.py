"""The result cache: an unchanged project is answered from it; any change that can alter
the result makes it recompute; a damaged cache is rebuilt, never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archguard.adapters.result_store import FORMAT, ResultStore
from archguard.domain.imports import UseSite
from archguard.domain.inventory import Finding
from archguard.domain.violations import CheckResult, ContractOutcome, Violation

CONFIG = """
version: 1
project: {root_package: app, modules_package: app.modules}
categories: {core: {}, optional: {}}
modules:
  shop: {category: core}
  extras: {category: optional}
definitions: {enabled: false}
contracts:
  - {id: core-not-optional, type: category_layering, source: [core], forbidden: [optional]}
"""

FILES = {
    "archguard.yaml": CONFIG,
    "app/__init__.py": "",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "",
    "app/modules/shop/service.py": "from app.modules.extras.gift import Gift\n",
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "class Gift:\n    pass\n",
}
SENTINEL = 987654


def age(project, seconds=100):
    """Make every file older than the racy window, so a cache written now is trusted."""
    past = time.time() - seconds
    for path in project.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def check(project):
    done = subprocess.run([sys.executable, "-m", "archguard", "check", str(project),
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def plant_sentinel(project):
    """Mark the cached result: a run that returns the mark was answered from the cache."""
    cache = project / ".archguard_cache" / "result.json"
    document = json.loads(cache.read_text())
    document["result"]["modules_checked"] = SENTINEL
    cache.write_text(json.dumps(document))


@pytest.fixture
def project(make_project):
    root = make_project(FILES)
    age(root)
    first = check(root)
    assert first["summary"]["violations"] == 1
    plant_sentinel(root)
    return root


def test_an_unchanged_project_is_answered_from_the_cache(project):
    assert check(project)["summary"]["modules_checked"] == SENTINEL


def _edit(path, text, seconds=50):
    path.write_text(text)
    past = time.time() - seconds  # older than the racy window: only the key can tell
    os.utime(path, (past, past))


@pytest.mark.parametrize("change", ["edit", "add", "delete", "rename", "config", "touch"])
def test_every_change_recomputes(project, change):
    service = project / "app/modules/shop/service.py"
    expected = 1
    if change == "edit":
        _edit(service, "import app.modules.shop\n")
        expected = 0
    elif change == "add":
        _edit(project / "app/modules/shop/more.py", "import app.modules.extras.gift\n")
        expected = 2
    elif change == "delete":
        service.unlink()
        expected = 0
    elif change == "rename":
        service.rename(project / "app/modules/shop/renamed.py")
    elif change == "config":
        config = project / "archguard.yaml"
        _edit(config, CONFIG.replace("extras: {category: optional}",
                                     "extras: {category: core}"))
        expected = 0
    elif change == "touch":  # same bytes, another modification time
        _edit(service, service.read_text(), seconds=30)
    data = check(project)
    assert data["summary"]["modules_checked"] != SENTINEL
    assert data["summary"]["violations"] == expected
    if change == "rename":
        assert [v["file"] for v in data["violations"]] == ["app/modules/shop/renamed.py"]


def test_a_change_in_the_same_clock_tick_is_caught(project):
    """Same size, same modification time as recorded: only the racy rule can tell, because
    the file was modified within seconds of the result being written."""
    service = project / "app/modules/shop/service.py"
    recent = time.time_ns() - 500_000_000
    os.utime(service, ns=(recent, recent))
    assert check(project)["summary"]["violations"] == 1  # written with this mtime in its key
    size = service.stat().st_size
    service.write_text("import app.modules.shop".ljust(size - 1) + "\n")
    os.utime(service, ns=(recent, recent))
    assert service.stat().st_size == size
    assert check(project)["summary"]["violations"] == 0


@pytest.mark.parametrize("content", [b"", b"{", b"\x00\xff", b"[]", b'{"format": 1}',
                                     b'{"format": 1, "key": "x", "written_at_ns": 0}'])
def test_a_damaged_cache_is_rebuilt(project, content):
    cache = project / ".archguard_cache" / "result.json"
    cache.write_bytes(content)
    data = check(project)
    assert data["summary"]["violations"] == 1
    assert data["summary"]["modules_checked"] != SENTINEL
    assert json.loads(cache.read_text())["format"] == FORMAT


def test_a_forged_entry_with_the_right_key_but_a_broken_result_is_rebuilt(project):
    cache = project / ".archguard_cache" / "result.json"
    document = json.loads(cache.read_text())
    document["result"]["contracts"] = [{"id": "x"}]
    cache.write_text(json.dumps(document))
    assert check(project)["summary"]["violations"] == 1


def test_concurrent_runs_leave_a_valid_cache(project):
    (project / ".archguard_cache" / "result.json").unlink()
    runs = [subprocess.Popen([sys.executable, "-m", "archguard", "check", str(project),
                              "--format", "json"], stdout=subprocess.PIPE, text=True)
            for _ in range(4)]
    outputs = [json.loads(run.communicate(timeout=120)[0]) for run in runs]
    assert all(o["summary"]["violations"] == 1 for o in outputs)
    document = json.loads((project / ".archguard_cache" / "result.json").read_text())
    assert document["format"] == FORMAT
    assert check(project)["summary"]["violations"] == 1


# -- the store ------------------------------------------------------------------------------


def _every_field_result():
    violation = Violation(
        contract="core-not-optional", severity="error", message="shop imports extras",
        source_module="shop", source_category="core", target_module="extras",
        target_category="optional", file="app/modules/shop/service.py", line=3, column=4,
        importer="app.modules.shop.service", imported="app.modules.extras.gift",
        names=("Gift",), statement="from app.modules.extras.gift import Gift", kind="lazy",
        used_in=(UseSite("wrap", (5, 7)), UseSite("<module>", (9,), ("class body of A",))),
        chain=("app.core", "app.modules.extras.gift"), function="wrap",
        reference="relationship('Gift')", occurrence=1, baselined=True)
    problem = Finding("structure.definition", "no definition.py",
                      Path("app/modules/shop"), None, "error")
    return CheckResult(
        project_dir="/somewhere", findings=(Finding("inline-ignore", "no reason",
                                                    Path("app/core.py"), 4),),
        contracts=(ContractOutcome("core-not-optional", "core", "category_layering", "error",
                                   (violation,), (problem,)),
                   ContractOutcome("empty", "nothing", "purity", "warning")),
        errors=("app/broken.py:1: invalid syntax",), modules_checked=7, imports_checked=9,
        references_checked=2, stale=({"fingerprint": "abc", "file": "x.py"},),
        baseline_file="archguard-baseline.json")


def test_a_stored_result_reads_back_equal_under_its_key_only(tmp_path):
    store = ResultStore(tmp_path / "cache" / "result.json")
    assert store.load("key") is None
    before = time.time_ns()
    store.save("key", _every_field_result())
    stored = store.load("key")
    assert stored.result == _every_field_result()
    assert before <= stored.written_at_ns <= time.time_ns()
    assert store.load("another key") is None


def test_a_store_that_cannot_be_written_keeps_nothing(tmp_path):
    (tmp_path / "cache").write_text("a file where the folder should be")
    store = ResultStore(tmp_path / "cache" / "result.json")
    store.save("key", _every_field_result())
    assert store.load("key") is None


def test_a_result_of_other_archguard_code_is_not_trusted(make_project, tmp_path):
    """Another archguard (an upgrade, a development checkout) computes its own result, even
    under the same version number."""
    import shutil

    import archguard

    tool = tmp_path / "tool"
    shutil.copytree(Path(archguard.__file__).parent, tool / "archguard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    root = make_project(FILES)
    age(root)
    env = {**os.environ, "PYTHONPATH": str(tool)}
    imported = subprocess.run([sys.executable, "-c", "import archguard; print(archguard.__file__)"],
                              capture_output=True, text=True, env=env, cwd=tmp_path).stdout
    assert imported.startswith(str(tool))  # the copy runs, not this checkout

    def run():
        done = subprocess.run([sys.executable, "-m", "archguard", "check", str(root),
                               "--format", "json"], capture_output=True, text=True,
                              timeout=120, env=env, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        return json.loads(done.stdout)["summary"]["modules_checked"]

    run()
    plant_sentinel(root)
    assert run() == SENTINEL
    _edit(tool / "archguard" / "domain" / "rules.py",
          (tool / "archguard" / "domain" / "rules.py").read_text() + "\n")
    assert run() != SENTINEL
