"""The import table: the same imports grimp's own graph holds, kept between runs so that a
run after an edit reads only what changed, and rebuilt whenever it cannot be trusted."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grimp.application import scanning
from grimp.application.ports import modulefinder

from archguard.adapters import import_table
from archguard.adapters.import_graph import build_import_graph
from archguard.adapters.import_table import FILE, build_import_table

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "fixtures" / "commerce_platform" / "before"

FILES = {
    "app/__init__.py": "",
    "app/core.py": "import os\nfrom app.modules import shop\n",
    "app/modules/__init__.py": "",
    "app/modules/shop/__init__.py": "from . import service\n",
    "app/modules/shop/service.py": (
        "from app.modules.extras.gift import Gift\n"
        "from app.modules.extras import gift\n"
        "\n"
        "def later():\n"
        "    import app.modules.extras\n"
    ),
    "app/modules/extras/__init__.py": "",
    "app/modules/extras/gift.py": "import sqlalchemy.orm\n\nclass Gift:\n    pass\n",
}


def grimp_imports(source_root: Path, package: str = "app") -> dict:
    """What grimp's own graph says: importer -> imported -> sorted lines."""
    graph = build_import_graph(source_root, package).graph
    return {
        importer: {imported: sorted(d["line_number"] for d in graph.get_import_details(
            importer=importer, imported=imported))
            for imported in graph.find_modules_directly_imported_by(importer)}
        for importer in graph.modules if not graph.is_module_squashed(importer)
    }


def age(root: Path, seconds: float = 100) -> None:
    """Older than the racy window, so that a table written now trusts every file."""
    past = time.time() - seconds
    for path in root.rglob("*.py"):
        os.utime(path, (past, past))


def edit(path: Path, text: str, seconds: float = 50) -> None:
    path.write_text(text)
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.fixture
def project(make_project):
    root = make_project(FILES)
    age(root)
    return root


def build(root: Path):
    return build_import_table(root, "app", root / ".archguard_cache")


@pytest.mark.platform
def test_the_table_is_grimps_graph_on_the_reference_platform():
    table = build_import_table(BEFORE, "app").table
    assert table.imports == grimp_imports(BEFORE)
    assert len(table.imports) > 300
    assert sum(len(targets) for targets in table.imports.values()) > 1000


def test_the_table_holds_lines_external_packages_and_every_module(project):
    table = build(project).table
    assert table.imports == grimp_imports(project)
    assert table.lines("app.modules.shop.service", "app.modules.extras.gift") == [1, 2]
    assert table.lines("app.modules.shop.service", "app.modules.extras") == [5]
    assert table.imported_by("app.modules.extras.gift") == ["sqlalchemy"]
    assert "app.modules.extras" in table and "sqlalchemy" not in table
    assert table.project_modules == sorted(table.imports)


def test_an_unchanged_tree_is_read_from_the_table(project):
    first = build(project)
    assert first.scanned == 7
    again = build(project)
    assert again.scanned == 0
    assert again.table.imports == first.table.imports


def test_an_edit_rescans_only_the_edited_file(project):
    build(project)
    edit(project / "app/modules/shop/service.py", "import app.core\n\n\nimport json\n")
    rebuilt = build(project)
    assert rebuilt.scanned == 1
    assert rebuilt.table.imports == grimp_imports(project)
    assert rebuilt.table.imported_by("app.modules.shop.service") == ["app.core", "json"]
    assert build(project).scanned == 0  # and the table was written back


@pytest.mark.parametrize("change", ["add", "delete", "rename"])
def test_adding_deleting_or_renaming_a_file_rescans_everything(project, change):
    build(project)
    service = project / "app/modules/shop/service.py"
    if change == "add":  # `from app.modules.extras import gift` must stay a module import
        edit(project / "app/modules/extras/wrap.py", "from app.modules.shop import service\n")
    elif change == "delete":
        (project / "app/modules/extras/gift.py").unlink()  # now `gift` is a name, not a module
    else:
        service.rename(project / "app/modules/shop/renamed.py")
    rebuilt = build(project)
    assert rebuilt.scanned == len(rebuilt.table.imports)
    assert rebuilt.table.imports == grimp_imports(project)


def test_an_edit_that_keeps_the_imports_rewrites_no_table(project):
    """An edit inside a function: the file is scanned again on each run, and the table
    file is not rewritten until the imports change."""
    build(project)
    table_file = project / ".archguard_cache" / import_table.FILE
    written = table_file.read_bytes()
    path = project / "app/modules/shop/service.py"
    edit(path, path.read_text() + "\n\ndef later():\n    return 1\n")
    again = build(project)
    assert again.scanned == 1
    assert again.table.imports == grimp_imports(project)
    assert table_file.read_bytes() == written
    assert build(project).scanned == 1  # still not vouched for by the table
    edit(path, path.read_text() + "import json\n")
    assert build(project).table.imported_by("app.modules.shop.service")[-1] == "json"
    assert build(project).scanned == 0  # the table was written with the new imports


def test_a_change_in_the_same_clock_tick_is_rescanned(project):
    """Same size and modification time as recorded: only the racy rule can tell, because
    the file was modified within seconds of the table being written."""
    service = project / "app/modules/shop/service.py"
    recent = time.time_ns() - 500_000_000
    os.utime(service, ns=(recent, recent))
    build(project)
    size = service.stat().st_size
    service.write_text("import app.core".ljust(size - 1) + "\n")
    os.utime(service, ns=(recent, recent))
    assert service.stat().st_size == size
    assert build(project).table.imported_by("app.modules.shop.service") == ["app.core"]


@pytest.mark.parametrize("content", [
    b"", b"{", b"\x00\xff", b"[]", b'{"salt": 1}', b'{"salt": "x", "modules": {}}',
])
def test_a_damaged_table_is_rebuilt(project, content):
    build(project)
    cache = project / ".archguard_cache" / FILE
    cache.write_bytes(content)
    rebuilt = build(project)
    assert rebuilt.scanned == 7
    assert rebuilt.table.imports == grimp_imports(project)
    assert build(project).scanned == 0


@pytest.mark.parametrize("forgery", ["entry", "lines", "salt"])
def test_a_forged_table_is_not_trusted(project, forgery):
    build(project)
    cache = project / ".archguard_cache" / FILE
    document = json.loads(cache.read_text())
    entry = document["modules"]["app.modules.shop.service"]
    if forgery == "entry":
        document["modules"]["app.modules.shop.service"] = entry[:2]
    elif forgery == "lines":
        entry[2] = {"app.core": 3}
    else:  # written by another grimp: its scanner may read files differently
        document["salt"] = document["salt"].replace("grimp ", "grimp 0.0-")
    cache.write_text(json.dumps(document))
    rebuilt = build(project)
    assert rebuilt.scanned == 7
    assert rebuilt.table.imports == grimp_imports(project)


def test_an_edit_that_breaks_a_file_reports_it_and_keeps_the_rest(project):
    build(project)
    edit(project / "app/modules/extras/gift.py", "def broken(:\n")
    rebuilt = build(project)
    assert [error.path.name for error in rebuilt.unparsable] == ["gift.py"]
    assert rebuilt.table.imported_by("app.core") == ["app.modules.shop", "os"]
    edit(project / "app/modules/extras/gift.py", "import decimal\n")
    fixed = build(project)
    assert fixed.unparsable == []
    assert fixed.table.imported_by("app.modules.extras.gift") == ["decimal"]


# -- a grimp whose scanner is not the one the table calls -----------------------------------


def _other_results(monkeypatch):
    original = scanning.scan_imports

    def scan_imports(*args, **kwargs):  # a result whose imports are of another shape
        return {file: {object() for _ in direct}
                for file, direct in original(*args, **kwargs).items()}

    monkeypatch.setattr(scanning, "scan_imports", scan_imports)


SCANNER_CHANGES = {
    "scanning module gone": lambda mp: mp.setitem(sys.modules, "grimp.application.scanning",
                                                  None),
    "entry point gone": lambda mp: mp.delattr(scanning, "scan_imports"),
    "value object gone": lambda mp: mp.delattr(modulefinder, "FoundPackage"),
    "entry point signature": lambda mp: mp.setattr(
        scanning, "scan_imports",
        lambda module_files, *, found_packages, include_external_packages: {}),
    "value object signature": lambda mp: mp.setattr(
        modulefinder, "ModuleFile", lambda module, mtime, package: None),
    "other results": _other_results,
}


@pytest.fixture
def changed():
    """Where a test changes grimp's scanner as the table calls it. The change is undone
    before grimp's public graph is built: in a grimp whose scanner changed, grimp's own code
    still works."""
    change = pytest.MonkeyPatch()
    yield change
    change.undo()


@pytest.fixture
def public_graphs(monkeypatch, changed):
    """The source roots of which grimp's public graph is built, in order."""
    built = []
    original = import_table.grimp_graph

    def grimp_graph(source_root, root_package):
        changed.undo()
        built.append(source_root)
        return original(source_root, root_package)

    monkeypatch.setattr(import_table, "grimp_graph", grimp_graph)
    return built


def test_grimps_own_scanner_reads_the_table(project, public_graphs):
    build(project)
    edit(project / "app/core.py", "import json\n")
    assert build(project).scanned == 1
    assert public_graphs == []


@pytest.mark.parametrize("change", SCANNER_CHANGES)
def test_a_grimp_with_another_scanner_gives_the_same_table(project, changed, public_graphs,
                                                           change):
    expected = build_import_table(project, "app").table.imports
    assert public_graphs == []
    SCANNER_CHANGES[change](changed)
    assert build_import_table(project, "app").table.imports == expected
    assert public_graphs == [project]


@pytest.mark.parametrize("change", SCANNER_CHANGES)
def test_a_grimp_with_another_scanner_rescans_an_edit(project, changed, public_graphs,
                                                      change):
    build(project)
    edit(project / "app/modules/shop/service.py", "import app.core\n\n\nimport json\n")
    SCANNER_CHANGES[change](changed)
    rebuilt = build(project)
    assert rebuilt.scanned == 1
    assert public_graphs == [project]
    assert rebuilt.table.imports == build_import_table(project, "app").table.imports
    assert rebuilt.table.imported_by("app.modules.shop.service") == ["app.core", "json"]


def test_a_grimp_with_another_scanner_still_reports_a_broken_file(project, monkeypatch,
                                                                  public_graphs):
    calls = []

    def scan_imports(*args, **kwargs):
        calls.append(1)
        raise TypeError("scan_imports() got an unexpected keyword argument")

    edit(project / "app/modules/extras/gift.py", "def broken(:\n")
    expected = build_import_table(project, "app")
    monkeypatch.setattr(scanning, "scan_imports", scan_imports)
    fallen_back = build_import_table(project, "app")
    assert calls == [1]  # tried once, not again on the tree without the broken file
    assert len(public_graphs) == 2 and public_graphs[0] == project
    assert [e.path for e in fallen_back.unparsable] == [e.path for e in expected.unparsable]
    assert [e.path.name for e in fallen_back.unparsable] == ["gift.py"]
    assert fallen_back.table.imports == expected.table.imports


def test_a_file_that_cannot_be_parsed_is_not_taken_for_another_scanner(project,
                                                                      public_graphs):
    edit(project / "app/modules/extras/gift.py", "def broken(:\n")
    assert [e.path.name for e in build(project).unparsable] == ["gift.py"]
    assert public_graphs == []


@pytest.mark.platform
def test_concurrent_checks_leave_a_valid_table(tmp_path):
    project = tmp_path / "before"
    shutil.copytree(BEFORE, project, ignore=shutil.ignore_patterns(".archguard_cache"))
    rules = ROOT / "rules" / "commerce_platform.yaml"
    runs = [subprocess.Popen([sys.executable, "-m", "archguard", "check", str(project),
                              "--config", str(rules), "--format", "json"],
                             stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [json.loads(run.communicate(timeout=300)[0]) for run in runs]
    assert {o["summary"]["violations"] for o in outputs} == {27}
    document = json.loads((project / ".archguard_cache" / FILE).read_text())
    assert len(document["modules"]) == len(grimp_imports(project))
    (project / ".archguard_cache" / "result.json").unlink()
    assert build_import_table(project, "app", project / ".archguard_cache").scanned == 0
