"""Reading a project: which files are its modules, and the imports and strings read side
by side in two processes giving what one process gives."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from archguard.adapters import concurrency
from archguard.adapters.concurrency import side_by_side
from archguard.adapters.files import manifest_modules, package_files, source_manifest
from archguard.adapters.import_graph import build_import_graph
from archguard.application import reading
from archguard.application.check import run_check
from archguard.config import load_config
from archguard.errors import SourceSyntaxError

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "fixtures" / "commerce_platform" / "before"
RULES = ROOT / "rules" / "commerce_platform.yaml"
DJANGO_SHOP = ROOT / "fixtures" / "django_shop"

TRICKY = {
    "app/__init__.py": "",
    "app/main.py": "",
    "app/pkg/__init__.py": "",
    "app/pkg/mod.py": "",
    "app/pkg/deeper/__init__.py": "",
    "app/pkg/deeper/leaf.py": "",
    "app/loose/script.py": "",  # no __init__.py: not part of the package
    "app/loose/inner/__init__.py": "",  # a package inside it is not either
    "app/loose/inner/thing.py": "",
    "app/not-a-name/__init__.py": "",
    "app/not-a-name/x.py": "",
    "app/.hidden/__init__.py": "",
    "app/pkg/__pycache__/mod.py": "",
    "app/pkg/some.module.py": "",
    "app/pkg/0001_initial.py": "",  # not an identifier, but importlib imports it
    "app/pkg/notes.txt": "",
}


def test_the_modules_are_those_of_grimps_graph(make_project):
    root = make_project(TRICKY)
    graph = build_import_graph(root, "app").graph
    expected = {m for m in graph.modules if not graph.is_module_squashed(m)}
    files = package_files(root, "app")
    assert set(files) == expected == {"app", "app.main", "app.pkg", "app.pkg.mod",
                                      "app.pkg.deeper", "app.pkg.deeper.leaf",
                                      "app.pkg.0001_initial"}
    assert files["app.pkg"] == root / "app/pkg/__init__.py"
    assert files["app.pkg.deeper.leaf"] == root / "app/pkg/deeper/leaf.py"


def test_the_manifest_gives_each_module_its_time_and_size(make_project):
    root = make_project(TRICKY)
    (root / "app/pkg/mod.py").write_text("x = 1\n")
    modules = manifest_modules(root, "app", source_manifest(root / "app"))
    path, mtime, size = modules["app.pkg.mod"]
    assert path == root / "app/pkg/mod.py"
    assert (mtime, size) == (path.stat().st_mtime_ns, 6)


def test_every_python_file_left_out_is_listed_with_its_reason(make_project):
    root = make_project(TRICKY)
    left_out: list[tuple[str, str]] = []
    manifest_modules(root, "app", source_manifest(root / "app"), left_out=left_out,
                     exclude=["app/pkg/deeper"])
    assert sorted(left_out) == [
        ("app/loose/inner/__init__.py", "not in a package: app/loose has no __init__.py"),
        ("app/loose/inner/thing.py", "not in a package: app/loose has no __init__.py"),
        ("app/loose/script.py", "not in a package: app/loose has no __init__.py"),
        ("app/not-a-name/__init__.py",
         "folder 'not-a-name' is not a package name: no import can reach it"),
        ("app/not-a-name/x.py",
         "folder 'not-a-name' is not a package name: no import can reach it"),
        ("app/pkg/deeper/__init__.py", "excluded by project.exclude: app/pkg/deeper"),
        ("app/pkg/deeper/leaf.py", "excluded by project.exclude: app/pkg/deeper"),
        ("app/pkg/some.module.py", "file name 'some.module.py' has a dot: it cannot be a "
                                   "module name"),
    ]


def test_a_package_without_init_has_no_modules(make_project):
    root = make_project({"app/mod.py": ""})
    assert package_files(root, "app") == {}


# -- side by side ---------------------------------------------------------------------------


def test_side_by_side_gives_both_results_and_runs_the_background_elsewhere():
    here = os.getpid()
    (pid, value), other = side_by_side(lambda: (os.getpid(), [1, {"a": (2, 3)}]),
                                       os.getpid)
    assert value == [1, {"a": (2, 3)}]
    assert other == here
    assert pid != here


def test_an_error_in_the_background_is_raised_here():
    calls = []

    def background():
        calls.append(os.getpid())
        raise SourceSyntaxError(Path("a.py"), 3, "invalid syntax")

    with pytest.raises(SourceSyntaxError, match=r"a\.py:3"):
        side_by_side(background, lambda: None)
    assert calls == [os.getpid()]  # run again here, where its error can be raised


def test_an_error_in_the_foreground_stops_the_background(tmp_path):
    marker = tmp_path / "finished"

    def background():
        import time

        time.sleep(3)
        marker.write_text("done")

    def foreground():
        raise KeyError("stop")

    with pytest.raises(KeyError):
        side_by_side(background, foreground)
    assert not marker.exists()


def test_a_process_with_other_threads_does_not_fork():
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not concurrency.can_fork()
        (pid, _), _ = side_by_side(lambda: (os.getpid(), None), lambda: None)
        assert pid == os.getpid()
    finally:
        release.set()
        thread.join()


def _alone_and_together(monkeypatch, owner, threshold: str, low: int, root: Path,
                        architecture):
    """A check with ``owner.threshold`` out of reach (one process), then one with it at
    ``low``, counting the forks of the second."""
    monkeypatch.setattr(owner, threshold, 10**9)
    alone = run_check(root, architecture, use_cache=False)
    forks: list[int] = []
    original = concurrency.os.fork
    monkeypatch.setattr(concurrency.os, "fork", lambda: forks.append(1) or original())
    monkeypatch.setattr(owner, threshold, low)
    return alone, run_check(root, architecture, use_cache=False), forks


@pytest.mark.parametrize(("fixture", "config"), [pytest.param(BEFORE, RULES,
                                                          marks=pytest.mark.platform),
                                             (DJANGO_SHOP, DJANGO_SHOP / "archguard.yaml")])
def test_reading_side_by_side_checks_as_reading_in_one_process(tmp_path, monkeypatch,
                                                               fixture, config):
    project = tmp_path / "project"
    shutil.copytree(fixture, project, ignore=shutil.ignore_patterns(".archguard_cache"))
    architecture = load_config(config)
    alone, together, forks = _alone_and_together(monkeypatch, reading, "SIDE_BY_SIDE_FROM",
                                                 1, project, architecture)
    assert forks == [1]
    assert together == alone
    assert together.references_checked > 0


def test_the_violating_files_read_side_by_side_give_what_one_process_reads(
        tmp_path, monkeypatch):
    """The files a report reads (each parsed once for its statements and the uses of its
    violating imports) are read half in a forked process when there are many; the
    statements, kinds, chains and uses are those of a read in one process."""
    from archguard.application import project as project_module
    from tests.bad_input.support import CONFIG
    from tests.bad_input.support import project as small_project

    files = {f"app/modules/shop/part{n}.py": (
        "import app.helpers\nfrom app.modules.extras.gift import price\n\n\n"
        f"def total{n}():\n    from app.modules.extras import gift\n"
        "    return price() + gift.price()\n") for n in range(6)}
    files["archguard.yaml"] = CONFIG.replace("forbidden: [optional]}",
                                             "forbidden: [optional], indirect: any}")
    files["app/helpers.py"] = ("from app.modules.extras import gift\n\n\ndef wrap():\n"
                               "    return gift.price()\n")
    root = small_project(tmp_path / "project", **files)
    architecture = load_config(root / "archguard.yaml")
    alone, together, forks = _alone_and_together(monkeypatch, project_module,
                                                 "USES_SIDE_BY_SIDE_FROM", 2, root,
                                                 architecture)
    assert forks, "the files were read in one process"
    assert together == alone
    assert {v.kind for v in alone.violations} == {"module", "lazy"}
    assert any(v.chain for v in alone.violations)
    assert all(v.used_in for v in alone.violations if not v.chain)


def test_an_edited_file_is_parsed_once_for_its_imports_its_uses_and_its_strings(
        tmp_path, monkeypatch):
    """After an edit, the edited file is read again for everything the check reads of it,
    from one tree; the report is the one a run without cache gives."""
    from archguard.adapters import import_statements, string_references
    from tests.bad_input.support import project as small_project

    edited = "app/modules/shop/orders.py"
    text = ("import importlib\n\nfrom app.modules.extras.gift import price\n\n\n"
            "def total():\n    return importlib.import_module('app.modules.extras.gift')\n")
    root = small_project(tmp_path / "project", **{edited: text})
    architecture = load_config(root / "archguard.yaml")
    run_check(root, architecture)
    path = root / edited
    path.write_text(text + "\n\ndef later():\n    return price()\n")
    old = time.time() - 10  # out of the window in which a time cannot tell an edit
    os.utime(path, (old, old))
    parsed = []
    for module in (import_statements, string_references):
        original = module.parse_source
        monkeypatch.setattr(module, "parse_source", lambda p, data=None, original=original:
                            parsed.append(p.name) or original(p, data))
    cached = run_check(root, architecture)
    assert parsed == ["orders.py"]
    assert cached == run_check(root, architecture, use_cache=False)
    assert {v.reference is not None for v in cached.violations} == {True, False}
